"""Widgets of the lesson reader: the step indicator and the step's sources."""
