"""What the learner reads after an answer and at the end, as plain lines (the TUI styles them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tutor.lab.journal import shows_schemes, without_tokens
from tutor.lab.printable import one_line
from tutor.quiz.grading import Grade

if TYPE_CHECKING:
    from tutor.course.models import Choice
    from tutor.experiments.outcome import Outcome
    from tutor.quiz.session import Quiz

__all__ = [
    "GRADES_LATER",
    "RECORDED",
    "ending",
    "feedback",
    "hop_trace",
    "plain_text",
    "review",
    "score_line",
    "spans",
]

RECORDED = "Answer recorded: the class lab grades the exam when it is over."
"""What the learner reads after an answer whose grade is withheld."""
GRADES_LATER = (
    "Your answers are in; the lab shows the grades when the teacher ends the exam. Start this "
    "quiz again then, the same way, to see them."
)
"""What the learner reads at the end of a quiz whose grades are still withheld."""


def feedback(grade: Grade) -> list[str]:
    """Right or wrong, the right answer, why (the explanation of each option chosen and its
    misconception), what arrived for a prediction, and the sources."""
    if grade.void is not None:
        lines = [f"Not graded: {one_line(grade.void)}. It counts neither way."]
    elif grade.correct:
        lines = ["✓ Right."]
    else:
        lines = ["✗ Wrong. The answer: " + _texts(grade.right)]
    for choice in grade.chosen:
        lines.append(f"You chose “{plain_text(choice.text)}”: {plain_text(choice.why)}")
        if choice.misconception and choice not in grade.right:
            lines.append(f"  The misconception: {plain_text(choice.misconception)}")
    if grade.item.question.kind == "multiple":
        lines += [f"You left out “{plain_text(c.text)}”: {plain_text(c.why)}" for c in grade.missed]
    if grade.outcome is not None:
        lines += ["What arrived, as the lab's journal saw it:", *hop_trace(grade.outcome)]
    lines += [f"Source: {c.title} — {c.url}" for c in grade.item.citations]
    return lines


def hop_trace(outcome: Outcome) -> list[str]:
    """The hops the lab saw, one line each, each with its scheme when one came over https, then
    the verdict: what came from the network is printed by `one_line`, never raw to a terminal."""
    lines = []
    schemes = shows_schemes(outcome.hops)
    for number, hop in enumerate(outcome.hops, 1):
        size = f"{hop.body_size} B" if hop.body_size else "no body"
        scheme = f"{hop.scheme} " if schemes else ""
        request = one_line(f"{scheme}{hop.method} {hop.path}")
        lines.append(f"  {number}. {request} ({size}) → {one_line(hop.answer)}")
    if outcome.error:
        lines.append(f"  {outcome.client} said: {without_tokens(one_line(outcome.error))}")
    lines.append(f"  Verdict: {one_line(outcome.verdict.text)}")
    return lines


def score_line(quiz: Quiz) -> str:
    """E.g. "Score 3/4 · streak 2 (best 3)"."""
    return f"Score {quiz.score}/{quiz.graded} · streak {quiz.streak} (best {quiz.best_streak})"


def review(quiz: Quiz) -> list[str]:
    """The end of a quiz: the score, and each missed question again with its right answer."""
    asked = len(quiz.items)
    lines = [
        f"Quiz over: {quiz.score} right of {quiz.graded} graded ({quiz.position}/{asked} asked)."
    ]
    if quiz.timed_out:
        lines.append("Time ran out.")
    lines.append(f"Best streak: {quiz.best_streak}.")
    if quiz.missed:
        lines.append("To review:")
    for number, grade in enumerate(quiz.missed, 1):
        lines.append(f"{number}. {_one_line(grade.item.question.prompt)}")
        lines.append(f"   Answer: {_texts(grade.right)}. {_explanations(grade.right)}")
    return lines


def _texts(choices: Sequence[Choice]) -> str:
    return ", ".join(f"“{plain_text(choice.text)}”" for choice in choices)


def _explanations(choices: Sequence[Choice]) -> str:
    return " ".join(plain_text(choice.why) for choice in choices)


_MARKED = re.compile(
    r"`(?P<code>[^`\n]+)`"
    r"|\*\*(?=\S)(?P<bold>.+?)(?<=\S)\*\*"
    r"|(?<![\w*])\*(?=[^\s*])(?P<em>.+?)(?<=[^\s*])\*(?![\w*])"
)
"""The inline Markdown course texts use: `code`, **bold** and *emphasis*, each a pair of marks
around the words it marks. A mark without its pair (a lone `*` or backtick) is text and stays."""


def spans(markdown: str, mark: str = "") -> list[tuple[str, str]]:
    """A course text as (text, how) pieces, how being "code", "bold", "em" (nested ones joined,
    e.g. "bold em") or "" for plain words: plain_text joins them, the TUI styles them."""
    pieces: list[tuple[str, str]] = []
    end = 0
    for match in _MARKED.finditer(markdown):
        pieces.append((markdown[end : match.start()], mark))
        kind = next(name for name in ("code", "bold", "em") if match[name] is not None)
        how = f"{mark} {kind}".strip()
        if kind == "code":  # code is literal: a * in it is a *
            pieces.append((match[kind], how))
        else:
            pieces += spans(match[kind], how)
        end = match.end()
    pieces.append((markdown[end:], mark))
    return [(text, how) for text, how in pieces if text]


def plain_text(markdown: str) -> str:
    """A course text's inline Markdown as plain words: no `code` ticks or **emphasis** marks for
    a screen reader to read aloud, every other character as written (then stripped)."""
    return "".join(text for text, _ in spans(markdown)).strip()


def _one_line(text: str) -> str:
    return " ".join(plain_text(text).split())


def ending(quiz: Quiz) -> list[str]:
    """The end of a quiz: its review once every answer is graded; else (a class exam whose
    grades the lab still withholds) that the answers are in, and when the grades come."""
    if not quiz.withheld:
        return review(quiz)
    answered = f"{quiz.position} of {len(quiz.items)} answered"
    if quiz.partial and not quiz.timed_out and quiz.closed is None:  # the lab keeps the sheet
        return [f"Stopped: {answered}; run it again to go on while the exam lasts.", GRADES_LATER]
    lines = [f"Exam over for you: {answered}."]
    if quiz.timed_out:
        lines.append("Time ran out.")
    return [*lines, GRADES_LATER]
