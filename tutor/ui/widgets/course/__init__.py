"""Widgets of the lesson list: the lessons and the problems of broken lesson files."""
