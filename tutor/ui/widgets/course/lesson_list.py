"""The list of lessons: number, title, minutes and summary of each; Enter opens one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.ui.literal import printable

if TYPE_CHECKING:
    from tutor.course.index import Listed
    from tutor.progress.record import LessonState

__all__ = ["LessonList"]


class LessonList(OptionList):
    """The course's lessons, in course order: the cached index first, then the loaded course."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Option("Loading the lessons…", disabled=True), id=id)
        self.lessons: list[Listed] = []
        self.states: Mapping[str, LessonState] = {}
        """The learner's place in each lesson, by id, from the record."""

    def show(self, lessons: Sequence[Listed]) -> None:
        """List `lessons`, keeping the highlight on the same lesson when it is still there."""
        kept = self.highlighted_lesson
        self.lessons = list(lessons)
        if not lessons:
            self.set_options([Option("No lessons found.", disabled=True)])
            return
        ids = [lesson.id for lesson in self.lessons]
        self._show_lessons(ids.index(kept.id) if kept and kept.id in ids else 0)

    def show_progress(self, states: Mapping[str, LessonState]) -> None:
        self.states = states
        if self.lessons:
            self._show_lessons(self.highlighted or 0)

    def _show_lessons(self, highlighted: int) -> None:
        options: list[Option | None] = []
        for number, lesson in enumerate(self.lessons, 1):
            # Numbered as lessons refer to each other ("as lesson 5 showed").
            prompt = Content.from_markup(
                "[b]$number. $title[/b]  [dim]$minutes min[/dim]  $place\n[dim]$summary[/dim]",
                number=number,
                title=printable(lesson.title),
                minutes=lesson.minutes,
                place=self._place(lesson),
                summary=printable(lesson.summary),
            )
            options += [Option(prompt), None]  # None: a divider line between lessons
        self.set_options(options[:-1])
        self.highlighted = highlighted

    def _place(self, lesson: Listed) -> Content:
        state = self.states.get(lesson.id)
        if state is None:
            return Content("")
        if state.done:
            return Content.styled("✓ done", "$text-success")
        ids = lesson.step_ids
        number = ids.index(state.step_id) + 1 if state.step_id in ids else 1
        return Content.styled(f"step {number}/{len(ids)}", "$text-accent")

    @property
    def highlighted_lesson(self) -> Listed | None:
        if self.highlighted is None or not self.lessons:
            return None
        return self.lessons[self.highlighted]
