"""The list of lessons: number, title, minutes, place and summary of each; Enter opens one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.course.index import Entry
from tutor.progress.standing import standing
from tutor.ui.literal import printable

if TYPE_CHECKING:
    from tutor.course.index import Listed
    from tutor.course.models import Lesson
    from tutor.progress.record import LessonState

__all__ = ["LessonList", "numbered"]

TITLE = "Lessons"


def numbered(number: int, title: str) -> Content:
    """A lesson as lessons refer to each other ("lesson 5") and its file is named (05-…):
    "05 · 307 Temporary Redirect". `number` is its place in the course, from 1."""
    return Content(f"{number:02d} · {printable(title)}")


class LessonList(OptionList):
    """The course's lessons, in course order: the cached index first, then the loaded course.
    Its border title counts the lessons done, as rustlings does."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Option("Loading the lessons…", disabled=True), id=id)
        self.border_title = TITLE
        self.lessons: list[Listed] = []
        self.states: Mapping[str, LessonState] = {}
        """The learner's place in each lesson, by id, from the record."""
        self._recorded = False
        """The record has been read (until then, no count of lessons done)."""
        self._prompts: list[Content] = []
        """What each lesson's option shows now, in order."""

    def show(self, lessons: Sequence[Listed]) -> None:
        """List `lessons`, keeping the highlight on the same lesson when it is still there."""
        kept = self.highlighted_lesson
        self.lessons = list(lessons)
        if not lessons:
            self.set_options([Option("No lessons found.", disabled=True)])
            self._prompts = []
            return
        ids = [lesson.id for lesson in self.lessons]
        self._show_lessons(ids.index(kept.id) if kept and kept.id in ids else 0)

    def show_progress(self, states: Mapping[str, LessonState]) -> None:
        self.states, self._recorded = states, True
        if self.lessons:
            self._show_lessons(self.highlighted or 0)

    def _show_lessons(self, highlighted: int) -> None:
        """Show each lesson's prompt. The list is made anew only when its lessons changed: with
        a pack of a thousand lessons, laying out every prompt again costs a tenth of a second,
        and the course and the record each arrive after the cached index has been listed."""
        prompts = [self._prompt(number, lesson) for number, lesson in enumerate(self.lessons, 1)]
        if len(prompts) != len(self._prompts):
            options: list[Option | None] = []
            for prompt in prompts:
                options += [Option(prompt), None]  # None: a divider line between lessons
            self.set_options(options[:-1])
            self.highlighted = highlighted
        else:
            for index, (shown, prompt) in enumerate(zip(self._prompts, prompts, strict=True)):
                if shown != prompt:
                    self.replace_option_prompt_at_index(index, prompt)
            if self.highlighted != highlighted:
                self.highlighted = highlighted
        self._prompts = prompts
        self.border_title = self._title()

    def _prompt(self, number: int, lesson: Listed) -> Content:
        """A lesson's two lines: number, title, minutes and place; its summary."""
        return Content.assemble(
            numbered(number, lesson.title).stylize("bold"),
            "  ",
            Content.styled(f"{lesson.minutes} min", "dim"),
            "  ",
            self._place(lesson),
            "\n",
            Content.styled(printable(lesson.summary), "dim"),
        )

    def _title(self) -> str:
        """ "Lessons · 4/17 done" once the course and the record are both here."""
        full = [cast("Lesson", lesson) for lesson in self.lessons if not isinstance(lesson, Entry)]
        if not self._recorded or len(full) != len(self.lessons):
            return TITLE
        done = sum(standing(lesson, self.states.get(lesson.id)).done for lesson in full)
        return f"{TITLE} · {done}/{len(full)} done"

    def _place(self, lesson: Listed) -> Content:
        state = self.states.get(lesson.id)
        if state is None:
            return Content("")
        if isinstance(lesson, Entry):  # the cached index: steps, but not what they ask
            ids = lesson.step_ids
            number = ids.index(state.step_id) + 1 if state.step_id in ids else 1
            return Content.styled(f"step {number}/{len(ids)}", "$text-accent")
        stands = standing(cast("Lesson", lesson), state)
        if stands.done:
            return Content.styled("✓ done", "$text-success")
        if stands.ended:
            return Content.styled(f"… {stands.place}", "$text-warning")
        return Content.styled(f"step {max(stands.reached, 1)}/{stands.steps}", "$text-accent")

    def scroll_to_highlight(self, top: bool = False) -> None:
        """As OptionList does; then, when the first row shown is the tail of a lesson's summary,
        scroll to a lesson's start: its title (up when the highlighted lesson still shows whole,
        else down), never a stray fragment at the top."""
        super().scroll_to_highlight(top)
        if self.highlighted is None or not self.is_mounted or not self._lines:
            return
        y = round(self.scroll_y)
        if y >= len(self._lines):
            return
        index, offset = self._lines[y]
        height, view = self._heights[index], self.scrollable_content_region.height
        if offset == 0 or offset == height - 1:  # a title, or the divider line under a lesson
            return
        start = self._index_to_line[self.highlighted]
        divider = self.options[self.highlighted]._divider  # the line under it may go
        end = start + self._heights[self.highlighted] - divider
        up, down = y - offset, y - offset + height
        if end <= up + view:
            self.scroll_to(y=up, animate=False, immediate=True)
        elif down <= start:
            self.scroll_to(y=down, animate=False, immediate=True)

    @property
    def highlighted_lesson(self) -> Listed | None:
        if self.highlighted is None or not self.lessons:
            return None
        return self.lessons[self.highlighted]
