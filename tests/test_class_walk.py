"""What a teacher's walk of the class found: a bad name in a curl student's URL is answered with
the name rule, and no quiz question leans on one that an exam may not have drawn."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tutor.classroom.routes import Classroom
from tutor.course.loader import load_course
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer

BANKS = Path(__file__).parent.parent / "lessons" / "quiz"
BACK_REFERENCE = re.compile(r"(now|again|the same|as above|this time)\b", re.IGNORECASE)


@pytest.mark.parametrize("name", ["a" * 33, "adé"])
def test_a_bad_name_in_a_curl_url_is_told_the_name_rule(name: str) -> None:
    journal = Journal()
    room = Classroom(load_course(), journal, "k" * 43)
    try:
        with LabServer(journal=journal, annex=room) as lab:
            done = subprocess.run(
                ["curl", "-sS", "-w", "\\n%{http_code}", f"{lab.url}/s/{name}/redirect/302"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
    finally:
        room.close()
    said, status = done.stdout.rsplit("\n", 1)
    said = said.rstrip("\n")
    assert status == "404"
    assert said == "/s/NAME/: a name is 1 to 32 letters (a-z, A-Z), digits, '-' or '_'."


def _questions() -> list[tuple[str, str]]:
    found = []
    for bank in sorted(BANKS.glob("*.yaml")):
        document = yaml.safe_load(bank.read_text(encoding="utf-8"))
        for question in document.get("questions", []):
            found.append((f"{bank.name}:{question.get('id')}", str(question.get("prompt", ""))))
    return found


def test_every_question_stands_alone() -> None:
    """An exam draws any question in any order: none may start by pointing at another."""
    questions = _questions()
    assert len(questions) > 50
    leaning = [where for where, prompt in questions if BACK_REFERENCE.match(prompt.strip())]
    assert not leaning, leaning
