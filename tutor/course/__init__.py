"""The course: lesson models, the YAML loader with line numbers, and the content checker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.course.aggregate import Content, Course

__all__ = ["Content", "Course"]


def __getattr__(name: str) -> Any:
    """`Course` and `Content`, imported on first use: the UI's first paint must not wait for
    the models of every course format."""
    if name in __all__:
        from tutor.course import aggregate

        return getattr(aggregate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
