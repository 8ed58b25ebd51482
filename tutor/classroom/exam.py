"""The exam the teacher sets on the lab, graded there, so that no student's file decides a score.

Its questions are drawn (tutor.quiz.draw) by the teacher's seed and a secret of the lab's
(SECRET_FILE, in the teacher's data folder, kept across restarts so that the exam carries on):
the whole class gets the same questions in the same order with the same choice order, and no
student who learns the seed can draw them at home with `quiz --seed`. Each student's clock
starts at their first look at the sheet.
Every answer is graded with the lab's own copy of the banks (a prediction's experiment runs live
on the lab), counted once however often it is sent, and written to the teacher's data folder
before the student hears of it, so that a restarted `serve` with the same settings takes every
answer back.

While the exam runs, a student hears only that an answer was recorded: a grade handed out then
would let a second name (or a classmate) read the right answers and score them under another.
The grades are shown once the exam is over for the whole class, so that nobody can answer after
reading them: when the teacher ends it, or when every student who joined the lab began it and
has no time left. Over, it takes no answer from anyone, and stays over after a restart. The
teacher's results are always whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sys
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from tutor.atomic import write_text_atomically
from tutor.classroom.runs import OneChain, outcome_to_wire
from tutor.lab.authority import TlsLab
from tutor.lab.journal import exam_token
from tutor.lab.seats import NAME
from tutor.progress.export import local_time
from tutor.progress.faults import why
from tutor.progress.location import home
from tutor.quiz.draw import Item, draw
from tutor.quiz.grading import Grade, grade, pick
from tutor.quiz.plan import Plan

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.experiments.outcome import Outcome
    from tutor.lab.journal import Journal

__all__ = [
    "COUNT",
    "ENDS",
    "EXAMS_FOLDER",
    "LONGEST",
    "OVER_FILE",
    "SECRET_FILE",
    "Exam",
    "ExamError",
    "Settings",
    "drawing_seed",
    "sheet_file",
]

COUNT = 10
"""Questions in an exam whose settings name no count."""
MOST = 200
LONGEST = 24 * 3600
"""Each student's seconds at most (and so the time any sheet has left)."""
EXAMS_FOLDER = "class-exams"
"""In the teacher's data folder: one folder per exam's settings, one file per student
(`sheet_file`)."""
SECRET_FILE = "class-exam-secret"
"""In the teacher's data folder: the lab's secret that, with the teacher's seed, draws every
exam (mode 0600)."""
OVER_FILE = "over"
"""In an exam's folder, once the exam is over: when, and why (one of ENDS)."""
ENDS = {"teacher": "the teacher ended it", "time": "every student's time is up"}
"""Why an exam is over, as the sheet says it ("over") and in words."""
_WITHHELD = {"right": None, "correct": None, "void": None, "outcome": None}
"""An answer's grade while the exam runs: nothing (the keys stay, so every reply has one shape)."""


class ExamError(ValueError):
    """The exam cannot be set, or an answer taken, as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the teacher set: the seed, how many questions, each student's seconds (None: no
    limit)."""

    seed: int
    count: int = COUNT
    time: int | None = None

    @classmethod
    def read(cls, settings: Mapping[str, Any]) -> Settings:
        """The settings as `serve` or `POST /teacher/exam` give them; ExamError when wrong."""
        seed, count, seconds = settings.get("seed"), settings.get("count"), settings.get("time")
        if not _whole(seed):
            raise ExamError("An exam needs a seed: a whole number, such as 42.")
        if count is None:
            count = COUNT
        if not _whole(count) or not 1 <= count <= MOST:
            raise ExamError(f"An exam's count is a number of questions from 1 to {MOST}.")
        if seconds is not None and (not _whole(seconds) or not 1 <= seconds <= LONGEST):
            raise ExamError(
                f"An exam's time is each student's seconds, from 1 to {LONGEST}, or none."
            )
        return cls(seed, count, seconds)

    @property
    def folder(self) -> str:
        """E.g. "seed-42-count-10-time-600": other settings are another exam, kept apart."""
        return f"seed-{self.seed}-count-{self.count}-time-{self.time or 'none'}"


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class _Sheet:
    """One student's exam: when they began, and each answer the lab graded, by number."""

    started: float
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(bool(answer["correct"]) for answer in self.answers.values())

    @property
    def graded(self) -> int:
        return sum(answer["void"] is None for answer in self.answers.values())


class Exam:
    """The exam set on this lab, and every student's answers to it. Thread-safe: the routes
    call it from worker threads."""

    def __init__(
        self,
        settings: Settings,
        items: list[Item],
        journal: Journal,
        folder: Path,
        sheets: dict[str, _Sheet],
        over: str | None = None,
    ) -> None:
        self.settings = settings
        self.items = items
        self.journal = journal
        self.folder = folder
        self._sheets = sheets
        self._over = over
        """Why the exam is over (a key of ENDS), None while it runs."""
        self._lock = threading.Lock()
        self._unsaved: set[str] = set()
        """Students whose answers the disk has not taken yet (kept here; written next time)."""
        self._over_unsaved = False
        self._failing = False
        self._questions = [item.key for item in items]
        self._shown = [
            {
                "number": number,
                "question": item.key,
                "kind": item.question.kind,
                "choices": [choice.id for choice in item.choices],
                "bank": {"id": item.bank.id, "title": item.bank.title},
            }
            for number, item in enumerate(items, 1)
        ]

    @classmethod
    def set(
        cls,
        course: Course,
        journal: Journal,
        settings: Mapping[str, Any],
        previous: Exam | None = None,
    ) -> Exam:
        """The exam `settings` ask for: `previous` itself when they are its own; else drawn
        from `course`, with the answers a lab with these settings kept before it stopped.
        ExamError says why not (settings out of range, no questions, answers kept for other
        questions)."""
        asked = Settings.read(settings)
        if previous is not None and previous.settings == asked:
            return previous
        drawn = drawing_seed(asked.seed, lab_secret())
        items = draw(course, Plan(seed=drawn, count=asked.count), {}, time.time(), drawn)
        if not items:
            raise ExamError("The course has no questions to draw an exam from.")
        folder = home() / EXAMS_FOLDER / asked.folder
        sheets = _kept(folder, [item.key for item in items])
        return cls(asked, items, journal, folder, sheets, _kept_end(folder))

    def describe(self) -> str:
        """E.g. "seed 42, 10 questions, 10 minutes each"."""
        count = len(self.items)
        seconds = self.settings.time
        each = "no time limit" if seconds is None else f"{_duration(seconds)} each"
        return f"seed {self.settings.seed}, {count} question{'s' if count != 1 else ''}, {each}"

    def summary(self) -> dict[str, Any]:
        """What a joining tutor and the class view hear of the exam; `over` says why it is over
        (a key of ENDS), None while it runs."""
        return {
            "seed": self.settings.seed,
            "count": self.settings.count,
            "time": self.settings.time,
            "questions": len(self.items),
            "over": self._over,
        }

    def began(self, name: str) -> bool:
        """Whether `name` has begun the exam."""
        return name in self._sheets

    def sheet(self, name: str, joined: Collection[str] = ()) -> dict[str, Any]:
        """`name`'s exam, started now on the first call while it runs (their clock starts):
        every question (number, id, choice ids in the order shown, its bank), the answers so
        far (graded once the exam is over), and the time left (None: no limit). `joined`: the
        names that joined the lab, whose time must all be up for a timed exam to be over (the
        routes give the seats' names; none by default)."""
        with self._lock:
            over = self._ended(joined)
            sheet = self._sheets.get(name) if over else self._sheet(name)
            if sheet is None:  # over before this student began: nothing to start now
                sheet = _Sheet(0.0)
            return {
                **self.summary(),
                "items": self._shown,
                "answers": [self._shown_answer(sheet, number) for number in sorted(sheet.answers)],
                **self._tally(sheet),
                "started": sheet.started or None,
            }

    def answer(
        self,
        name: str,
        answer: Mapping[str, Any],
        lab_url: str,
        joined: Collection[str] = (),
        tls: TlsLab | None = None,
    ) -> dict[str, Any]:
        """Grade `name`'s answer {"number", "question", "chosen": [ids]}: a prediction runs
        live on the lab at `lab_url` (its TLS listener `tls`, for a change of scheme; this
        blocks). The answer and the student's tally after
        it, graded only once the exam is over (see the module); an answer to a question already
        answered gets the one kept then, marked `again`. ExamError, with nothing counted, for a
        malformed answer, or one after the student's time is up or the exam is over."""
        number, item, chosen = self._read(answer)
        with self._lock:
            over = self._ended(joined)
            sheet = self._sheets.get(name) if over else self._sheet(name)
            if sheet is not None and number in sheet.answers:
                return self._reply(sheet, number, again=True)
            if sheet is None or over:
                raise ExamError(
                    f"The exam is over ({ENDS[str(self._over)]}), so this answer is not counted."
                )
            if self._left(sheet) == 0:
                raise ExamError(
                    f"Time is up: the exam gives {_duration(self.settings.time or 0)} from the "
                    "first question, so this answer is not counted."
                )
        graded = grade(item, chosen, self._outcome(item, lab_url, tls))
        with self._lock:
            if number in sheet.answers:  # the same answer, sent again while this one ran
                return self._reply(sheet, number, again=True)
            sheet.answers[number] = _answer_document(number, graded, time.time())
            self._save(name)
            return self._reply(sheet, number, again=False)

    def end(self) -> bool:
        """End the exam for the whole class (the teacher's call): nobody answers any more, and
        every sheet shows its grades. False when it was over already."""
        with self._lock:
            if self._over is not None:
                return False
            self._end("teacher")
            return True

    def results(self) -> dict[str, dict[str, Any]]:
        """Each student's exam, whole whether or not it is over: score, graded, answered,
        questions, when started and finished (None while it goes on), and each answer, for the
        class view and its export."""
        with self._lock:
            return {name: self._result(sheet) for name, sheet in sorted(self._sheets.items())}

    def _sheet(self, name: str) -> _Sheet:
        """`name`'s sheet, started now if need be (call it with the lock held)."""
        if not NAME.fullmatch(name):
            raise ExamError("A name is 1 to 32 letters, digits, '-' or '_'.")
        sheet = self._sheets.get(name)
        if sheet is None:
            sheet = self._sheets[name] = _Sheet(time.time())
            self._save(name)
        return sheet

    def _read(self, answer: Mapping[str, Any]) -> tuple[int, Item, list[str]]:
        """The question an answer is for and the choices it names; ExamError when malformed."""
        number, question, chosen = (
            answer.get("number"),
            answer.get("question"),
            answer.get("chosen"),
        )
        if not _whole(number) or not 1 <= number <= len(self.items):
            raise ExamError(f"An answer names its question by number, from 1 to {len(self.items)}.")
        item = self.items[number - 1]
        if question != item.key:
            raise ExamError(f"Question {number} of this exam is {item.key!r}: not counted.")
        known = {choice.id for choice in item.question.choices}
        if not isinstance(chosen, list) or not all(
            isinstance(c, str) and c in known for c in chosen
        ):
            raise ExamError(f"Question {number} has no such choice: not counted.")
        try:
            pick(item.question, chosen)
        except ValueError as error:
            raise ExamError(f"Not counted: {error}.") from None
        return number, item, chosen

    def _outcome(self, item: Item, lab_url: str, tls: TlsLab | None) -> Outcome | None:
        """A prediction's experiment, run live on this lab now; None for other questions."""
        from tutor.experiments.runner import run

        experiment = item.question.experiment
        if item.question.kind != "predict" or experiment is None:
            return None
        if not lab_url:
            raise ExamError("The lab is still starting: send the answer again in a moment.")
        return run(experiment, lab_url, OneChain(self.journal, exam_token()), tls=tls)

    def _left(self, sheet: _Sheet) -> float | None:
        if self.settings.time is None:
            return None
        return max(0.0, sheet.started + self.settings.time - time.time())

    def _ended(self, joined: Collection[str]) -> bool:
        """Whether the exam is over (call it with the lock held): the teacher ended it, or it
        has a time limit and every student who joined began it and has no time left, so that
        nobody can answer after the grades are shown (nor begin: an exam over stays over)."""
        if self._over is None and (
            self.settings.time is not None
            and self._sheets
            and all(name in self._sheets for name in joined)
            and all(self._left(sheet) == 0 for sheet in self._sheets.values())
        ):
            self._end("time")
        return self._over is not None

    def _end(self, why: str) -> None:
        self._over = why
        self._over_unsaved = True
        self._save()

    def _tally(self, sheet: _Sheet) -> dict[str, Any]:
        """The student's tally: the score only once the exam is over (a score that moves after
        an answer would grade it)."""
        over = self._over is not None
        return {
            "score": sheet.score if over else None,
            "graded": sheet.graded if over else None,
            "answered": len(sheet.answers),
            "left": 0.0 if over else self._left(sheet),
        }

    def _shown_answer(self, sheet: _Sheet, number: int) -> dict[str, Any]:
        """An answer as the student may read it: graded once the exam is over, else only what
        they chose."""
        kept = sheet.answers[number]
        if self._over is not None:
            return kept
        return {key: kept[key] for key in ("number", "question", "chosen")} | _WITHHELD

    def _reply(self, sheet: _Sheet, number: int, *, again: bool) -> dict[str, Any]:
        return {
            **self._shown_answer(sheet, number),
            "again": again,
            **self._tally(sheet),
            "over": self._over,
        }

    def _result(self, sheet: _Sheet) -> dict[str, Any]:
        finished: float | None = None
        if len(sheet.answers) == len(self.items):
            finished = max(answer["at"] for answer in sheet.answers.values())
        elif self._left(sheet) == 0 and self.settings.time is not None:
            finished = sheet.started + self.settings.time
        kept = ("number", "question", "chosen", "right", "correct", "void")
        return {
            "score": sheet.score,
            "graded": sheet.graded,
            "answered": len(sheet.answers),
            "questions": len(self.items),
            "started": local_time(sheet.started),
            "finished": None if finished is None else local_time(finished),
            "answers": [
                {key: sheet.answers[number][key] for key in kept}
                for number in sorted(sheet.answers)
            ],
        }

    def _save(self, name: str | None = None) -> None:
        """Write `name`'s sheet (and any the disk refused before, and the exam's end) with the
        lock held. A disk that refuses loses nothing here: the sheets stay in memory, the
        teacher hears it once, and the next answer writes them all again."""
        if name is not None:
            self._unsaved.add(name)
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.folder.parent.chmod(0o700)  # every exam's answers: the teacher's alone
            self.folder.mkdir(exist_ok=True, mode=0o700)
            if self._over_unsaved:
                ended = json.dumps({"over": self._over, "at": time.time()})
                write_text_atomically(self.folder / OVER_FILE, ended + "\n", mode=0o600)
                self._over_unsaved = False
            for each in sorted(self._unsaved):
                sheet = self._sheets[each]
                document = {
                    "name": each,
                    "questions": self._questions,
                    "started": sheet.started,
                    "answers": [sheet.answers[number] for number in sorted(sheet.answers)],
                }
                path = self.folder / sheet_file(each)
                write_text_atomically(path, json.dumps(document) + "\n", mode=0o600)
                self._unsaved.discard(each)
        except OSError as error:
            if not self._failing:
                _say(
                    f"Warning: the exam's answers cannot be written to {self.folder} now "
                    f"({why(self.folder / 'answers.json', error)}): the lab keeps them in memory "
                    "and writes them as soon as it can; do not stop it until then."
                )
            self._failing = True
        else:
            if self._failing:
                _say(f"The exam's answers are written to {self.folder} again.")
            self._failing = False


def lab_secret() -> bytes:
    """The lab's secret (made at the first exam, then read back: a restart draws the same exam);
    ExamError when it cannot be kept, rather than draw an exam a student could draw too."""
    folder = home()
    path = folder / SECRET_FILE
    try:
        kept = path.read_text(encoding="ascii").strip()
        if len(kept) >= 32:
            return kept.encode()
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        raise ExamError(f"The exam's secret in {path} cannot be read ({error}).") from None
    secret = secrets.token_hex(32)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_text_atomically(path, secret + "\n", mode=0o600)
    except OSError as error:
        raise ExamError(f"The exam's secret cannot be kept in {path} ({error}).") from None
    return secret.encode()


def drawing_seed(seed: int, secret: bytes) -> int:
    """The seed that draws the exam the teacher set with `seed` on the lab with `secret`."""
    digest = hmac.new(secret, f"exam {seed}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def sheet_file(name: str) -> str:
    """The file that keeps `name`'s sheet: named by a digest of the name (which the file holds),
    so that names a disk takes for one file (Ada and ada where case folds, NUL or CON on
    Windows) are kept apart."""
    return hashlib.sha256(name.encode()).hexdigest()[:24] + ".json"


def _answer_document(number: int, graded: Grade, at: float) -> dict[str, Any]:
    """One graded answer as the lab keeps it and the student's tutor reads it: for a prediction
    the outcome too (client, error, its report, the verdict, the hops), so the student sees the
    same feedback as from a lab of their own."""
    outcome = graded.outcome
    return {
        "number": number,
        "question": graded.item.key,
        "chosen": [choice.id for choice in graded.chosen],
        "right": [choice.id for choice in graded.right],
        "correct": graded.correct,
        "void": graded.void,
        "at": at,
        "outcome": None if outcome is None else outcome_to_wire(outcome),
    }


def _kept(folder: Path, questions: list[str]) -> dict[str, _Sheet]:
    """The sheets a lab with these settings wrote before it stopped, by the name each file
    holds; ExamError when one cannot be read or was for other questions (the course changed),
    rather than lose its answers."""
    sheets: dict[str, _Sheet] = {}
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return sheets
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            name, asked = str(document["name"]), document["questions"]
            answers = {int(answer["number"]): dict(answer) for answer in document["answers"]}
            sheet = _Sheet(float(document["started"]), answers)
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise ExamError(
                f"The answers kept in {path} cannot be read ({error}): move that file away to "
                "start the lab without them."
            ) from None
        if asked != questions:
            raise ExamError(
                f"The answers kept in {path} are for other questions: start the lab with the "
                "lesson packs it had, or move that folder away to begin afresh."
            )
        earlier = sheets.get(name)  # a file named by the name itself, as labs once wrote them
        if earlier is None or len(sheet.answers) > len(earlier.answers):
            sheets[name] = sheet  # answers are only ever added: the fuller sheet is the newer
    return sheets


def _kept_end(folder: Path) -> str | None:
    """Why the exam a lab with these settings ran was over (a key of ENDS), or None; ExamError
    when that cannot be read, rather than open again an exam whose grades were shown."""
    path = folder / OVER_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        document = None  # unreadable: said below
    why = document.get("over") if isinstance(document, dict) else None
    if why not in ENDS:
        raise ExamError(
            f"{path} says this exam is over, but not in a way this lab can read: move it away "
            "to let students answer again, knowing that they may have seen the grades."
        )
    return str(why)


def _duration(seconds: int) -> str:
    """E.g. "10 minutes", "90 seconds"."""
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{seconds // 60} minute{'s' if seconds != 60 else ''}"


def _say(sentence: str) -> None:
    """Tell the teacher at the lab's console."""
    print(sentence, file=sys.stderr, flush=True)
