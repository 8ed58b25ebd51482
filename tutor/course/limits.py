"""How big a course file and its parts may be: past these, lint says so at the line, fast.

Every bound sits far above what the built-in course uses (the largest file: 24 KB, about 1,000
YAML values, 9 levels deep, 7 steps, 26 experiments, 10 questions) and far below what would
make the tutor or `lint` slow: a file that crosses one is refused before it costs anything.
TEACHING.md lists them for teachers.
"""

from __future__ import annotations

__all__ = [
    "CHOICES",
    "CITATIONS",
    "CITES",
    "EDGES",
    "EXPERIMENTS",
    "FILE_BYTES",
    "FILE_DEPTH",
    "FILE_VALUES",
    "HINTS",
    "ID_CHARS",
    "LESSON_EXPERIMENTS",
    "LINE_CHARS",
    "LIST_ITEMS",
    "PROSE_CHARS",
    "QUESTIONS",
    "STEPS",
    "TEXT_CHARS",
]

FILE_BYTES = 128 * 1024
"""A file's size. Five times the largest built-in file; the careful YAML parser that words a
syntax error reads this much in well under a second."""
FILE_DEPTH = 20
"""Levels of nesting. The format itself goes 9 deep (a lesson, its steps, a step, its
prediction, the choices, a choice, its claim, the headers, a value)."""
FILE_VALUES = 20_000
"""YAML values in one file (each mapping, list, key and scalar), an alias counted as a copy of
all it names: twenty times the largest built-in file. An alias bomb (a few lines that expand to
a billion values) is refused before anything expands it."""

STEPS = 50
"""Steps in a lesson: a lesson is at most an hour (`minutes: 60`), a step one idea."""
EXPERIMENTS = 20
"""Experiments in one step (or on one card)."""
LESSON_EXPERIMENTS = 100
"""Experiments in one lesson: each one is a live run the course test makes."""
QUESTIONS = 100
"""Questions in one bank."""
EDGES = 100
"""Edge cases in one file."""
CHOICES = 10
"""Choices of a question or a prediction: more does not fit one screen."""
CITATIONS = 100
"""Sources one file lists."""
CITES = 30
"""Citation ids one step, question or section cites."""
HINTS = 10
"""Hints of a prediction or an exercise, shown one at a time."""
LIST_ITEMS = 30
"""Items of the other lists (a card's questions, snippets and confusions; a question's tags)."""

ID_CHARS = 64
"""An id: it names a file's part in the learner's record and on the screen."""
LINE_CHARS = 200
"""A title, a label, a name: one line of the screen, or two."""
PROSE_CHARS = 2_000
"""A summary, a prompt, an explanation, a hint, a quote: a paragraph."""
TEXT_CHARS = 10_000
"""A step's Markdown, a card's section, a snippet's code: a screenful or two."""
