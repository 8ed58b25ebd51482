"""The list of lessons: title, minutes and summary of each; Enter opens one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from tutor.course.models import Lesson

__all__ = ["LessonList"]


class LessonList(OptionList):
    """The course's lessons, in course order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Option("Loading the lessons…", disabled=True), id=id)
        self.lessons: list[Lesson] = []

    def show(self, lessons: Sequence[Lesson]) -> None:
        self.lessons = list(lessons)
        if not lessons:
            self.set_options([Option("No lessons found.", disabled=True)])
            return
        options: list[Option | None] = []
        for lesson in lessons:
            prompt = Content.from_markup(
                "[b]$title[/b]  [dim]$minutes min[/dim]\n[dim]$summary[/dim]",
                title=lesson.title,
                minutes=lesson.minutes,
                summary=lesson.summary,
            )
            options += [Option(prompt), None]  # None: a divider line between lessons
        self.set_options(options[:-1])
        self.highlighted = 0

    @property
    def highlighted_lesson(self) -> Lesson | None:
        if self.highlighted is None or not self.lessons:
            return None
        return self.lessons[self.highlighted]
