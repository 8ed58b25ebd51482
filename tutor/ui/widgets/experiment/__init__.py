"""Widgets of the experiment panel: the form, the ladder, the hop table and the verdict."""
