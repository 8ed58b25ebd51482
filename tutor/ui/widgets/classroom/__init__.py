"""Widgets of the class view: the grid of students and exercises, and a student's chains."""
