"""The learner's record survives `redirect-tutor quiz --plain` killed (SIGKILL) at random points.

Every answer whose feedback was printed is in the record afterwards, and the file is never
corrupt. The suite kills it 15 times (ROBUST_KILLS; benchmarks/soak.py sets 100), with a fixed
seed, all against one record, so each run also opens what the last kill left behind.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

LESSON = "found-302"
QUESTIONS = 6
"""Questions in that lesson's bank: each run is killed after answering 1 to all of them."""


def _prompts(transcript: Path) -> int:
    return transcript.read_text(errors="replace").count("Your answer: ")


def _killed_quiz(home: Path, transcript: Path, answers: int, delay: float) -> int:
    """Run the quiz, answer "1" to `answers` questions, SIGKILL it `delay` s after the last one.

    The number of feedbacks it had printed by then.
    """
    command = [str(Path(sys.executable).with_name("redirect-tutor")), "quiz", "--plain"]
    env = {**os.environ, "REDIRECT_TUTOR_HOME": str(home)}
    with transcript.open("wb") as out:
        quiz = subprocess.Popen(
            [*command, "--lesson", LESSON], stdin=subprocess.PIPE, stdout=out, stderr=out, env=env
        )
        assert quiz.stdin is not None
        try:
            for answer in range(1, answers + 1):
                deadline = time.monotonic() + 60
                while _prompts(transcript) < answer and quiz.poll() is None:
                    assert time.monotonic() < deadline, "the quiz never asked"
                    time.sleep(0.005)
                quiz.stdin.write(b"1\n")
                quiz.stdin.flush()
            time.sleep(delay)
        finally:
            quiz.kill()
            quiz.wait()
    text = transcript.read_text(errors="replace")
    assert "Traceback" not in text
    return text.count("\nScore ")


def test_killed_while_answering_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    home = tmp_path / "home"
    shown = 0
    for run in range(int(os.environ.get("ROBUST_KILLS", "15"))):
        answers, delay = rng.randint(1, QUESTIONS), rng.uniform(0, 0.3)
        shown += _killed_quiz(home, tmp_path / f"run-{run}.txt", answers, delay)
        with sqlite3.connect(home / "progress.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = db.execute("SELECT count(*) FROM answers").fetchone()[0]
        assert kept >= shown, f"run {run}: {shown} answers shown, {kept} in the record"
    assert shown > 0
    assert not list(home.glob("progress.db.broken-*"))
