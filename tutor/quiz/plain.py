"""The quiz on stdin and stdout: numbered choices, one answer a line; for scripts, pipes and
screen readers. End of input ends the quiz with its review, like the last question would. A class
exam's answers are only recorded while it runs; its review comes once the lab shows the grades."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

from tutor.quiz.feedback import RECORDED, ending, feedback, plain_text, score_line
from tutor.quiz.session import Quiz, TimeUp, Withheld

if TYPE_CHECKING:
    from tutor.quiz.draw import Item

__all__ = ["KIND_HINTS", "parse_answer", "run_plain"]

KIND_HINTS = {
    "single": "one answer",
    "multiple": "one or more answers, e.g. 1,3",
    "truefalse": "true or false",
    "predict": "predict what arrives; then it runs live",
}

_TRUTH = {"t": "true", "true": "true", "f": "false", "false": "false"}


def parse_answer(text: str, item: Item) -> list[str]:
    """The choice ids a typed answer names: numbers from 1 ("2", "1,3", "1 3") in the order the
    choices were shown; for a truefalse question also t/f/true/false. ValueError with a message
    for the learner."""
    question = item.question
    words = [word for word in re.split(r"[\s,;]+", text.strip().lower()) if word]
    count = len(item.choices)
    several = " (several as 1,3)" if question.kind == "multiple" else ""
    wrong = ValueError(f"Answer with a number from 1 to {count}{several}.")
    if question.kind == "truefalse" and len(words) == 1 and words[0] in _TRUTH:
        return [_TRUTH[words[0]]]
    if not words or not all(word.isdigit() and 1 <= int(word) <= count for word in words):
        raise wrong
    if question.kind != "multiple" and len(words) > 1:
        raise ValueError("Only one answer, please: one number.")
    return [item.choices[int(word) - 1].id for word in words]


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _say(out: TextIO, *lines: str) -> None:
    for line in lines:
        out.write(line + "\n")
    out.flush()


def _ask(quiz: Quiz, out: TextIO) -> None:
    item = quiz.current
    assert item is not None
    question = item.question
    heading = f"Question {quiz.position + 1}/{len(quiz.items)} ({KIND_HINTS[question.kind]})"
    left = quiz.time_left()
    if left is not None:
        heading += f" · {_clock(left)} left"
    _say(out, heading, plain_text(question.prompt))
    _say(out, *(f"  {n}. {plain_text(choice.text)}" for n, choice in enumerate(item.choices, 1)))


def run_plain(quiz: Quiz, read: TextIO, out: TextIO) -> None:
    """Ask every question on `out`, read answers from `read`, until the end, the time limit or
    the end of input; then the review. Each answer is in the record before its feedback shows."""
    echo = not read.isatty()  # piped answers would not show: write them into the transcript
    while not quiz.finished:
        _ask(quiz, out)
        item = quiz.current
        assert item is not None
        while True:
            out.write("Your answer: ")
            out.flush()
            line = read.readline()
            if not line:
                _say(out, "", "Input ended.")
                quiz.stop()
                break
            if echo:
                _say(out, line.rstrip("\n"))
            try:
                chosen = parse_answer(line, item)
            except ValueError as error:
                _say(out, str(error))
                continue
            if item.question.kind == "predict":
                _say(out, "Running the experiment live…")
            try:
                grade = quiz.answer(chosen)
            except TimeUp as error:
                _say(out, f"Time is up: {error}.")
                break
            if isinstance(grade, Withheld):
                _say(out, RECORDED, "")
            else:
                _say(out, *feedback(grade), score_line(quiz), "")
            break
    quiz.settle()  # a class exam's grades, if the lab shows them now
    _say(out, "", *ending(quiz))
