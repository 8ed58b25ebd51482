"""Widgets of the Progress screen."""
