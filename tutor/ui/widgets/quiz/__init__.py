"""Widgets of the Quiz screen: the choices and the feedback."""
