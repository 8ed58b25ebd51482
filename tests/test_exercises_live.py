"""Exercises checked live from the journal: curl, a plain socket, and a configured lab answer."""

from __future__ import annotations

import socket
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tutor.course.exercises import Answer, BringYourOwn, Configure
from tutor.course.lint import lint
from tutor.course.loader import load_course
from tutor.lab.server import LabServer
from tutor.session.study import StudySession


def _exercise(lesson_id: str, kind: type) -> tuple[str, object]:
    lesson = load_course().lesson(lesson_id)
    assert lesson is not None
    return next((s.id, s.exercise) for s in lesson.steps if isinstance(s.exercise, kind))


KEEP_POST_302 = _exercise("found-302", BringYourOwn)[1]
ANY_CLIENT_307 = _exercise("temporary-redirect-307", BringYourOwn)[1]
CHECKOUT = _exercise("choosing-a-code", Configure)[1]


def _curl(*args: str) -> None:
    subprocess.run(["curl", "-s", "-o", "/dev/null", *args], check=True, timeout=30)


def test_curl_meets_the_302_exercise_only_with_post302(lab: LabServer, study: StudySession) -> None:
    assert isinstance(KEEP_POST_302, BringYourOwn)
    url = KEEP_POST_302.url(lab.url, "ada-curl")
    assert url == f"{lab.url}/s/ada-curl/redirect/302"
    assert study.check_attempt(KEEP_POST_302, "ada-curl") is None

    _curl("-L", "-d", "a=1", url)
    check = study.check_attempt(KEEP_POST_302, "ada-curl")
    assert check is not None and not check.met
    assert check.problems == (
        "expected POST to arrive, but GET did",
        "expected the body intact, but no body arrived",
    )
    assert check.verdict == "POST became GET, body dropped"
    assert check.client.startswith("curl/")
    assert check.story.startswith("POST /s/ada-curl/redirect/302 (3 bytes) → 302 → GET /s/ada-")

    _curl("-L", "--post302", "-d", "a=1", url)
    check = study.check_attempt(KEEP_POST_302, "ada-curl")
    assert check is not None and check.met, check.problems
    assert check.verdict == "POST kept, body intact (3 bytes)"
    assert study.check_attempt(KEEP_POST_302, "someone-else") is None


def _post(port: int, path: str, body: bytes) -> tuple[int, str | None]:
    """A plain socket client: one HTTP/1.1 POST, the status and Location of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    location = next((v for k, v in headers.items() if k.lower() == "location"), None)
    return int(head[0].split()[1]), location


def test_a_plain_socket_client_meets_the_307_exercise(lab: LabServer, study: StudySession) -> None:
    assert isinstance(ANY_CLIENT_307, BringYourOwn)
    port = urlsplit(lab.url).port
    assert port is not None
    path = urlsplit(ANY_CLIENT_307.url(lab.url, "sock")).path
    status, location = _post(port, path, b"order=42")
    assert status == 307 and location is not None
    check = study.check_attempt(ANY_CLIENT_307, "sock")
    assert check is not None and not check.met
    assert "the client stopped at the 307" in check.problems[0]
    assert check.problems[-1] == "did the client follow the Location?"

    assert _post(port, location, b"order=42")[0] == 200
    check = study.check_attempt(ANY_CLIENT_307, "sock")
    assert check is not None and check.met, check.problems
    assert check.client == "an unnamed client"

    status, location = _post(port, path, b"order=42")
    assert location is not None
    _post(port, location, b"order=4")
    check = study.check_attempt(ANY_CLIENT_307, "sock")
    assert check is not None and not check.met, "the newest attempt counts"


@pytest.mark.parametrize(
    ("answer", "met", "problem"),
    [
        (Answer(code=307), True, None),
        (Answer(code=307, location="relative"), True, None),
        (Answer(code=308), False, "308 says the move is permanent"),
        (Answer(code=302), False, "expected POST to arrive, but GET did"),
    ],
)
def test_the_checkout_exercise_runs_httpx_against_the_chosen_answer(
    study: StudySession, answer: Answer, met: bool, problem: str | None
) -> None:
    assert isinstance(CHECKOUT, Configure)
    check = study.check_answer(CHECKOUT, answer)
    assert check.client.startswith("httpx ") and f"/redirect/{answer.code}" in check.story
    assert check.met is met
    if problem:
        assert any(p.startswith(problem) for p in check.problems), check.problems


def test_every_configure_answer_in_the_course_meets_its_goal_live(study: StudySession) -> None:
    found = [
        step.exercise
        for lesson in load_course().lessons
        for step in lesson.steps
        if isinstance(step.exercise, Configure)
    ]
    assert found
    for exercise in found:
        check = study.check_answer(exercise, exercise.answer)
        assert check.met, (exercise.task, check.problems)


BAD = textwrap.dedent(
    """\
    format: 1
    id: bad-exercises
    title: Bad exercises
    summary: Two exercises lint rejects.
    citations:
      - id: rfc9110-15.4.8
        title: RFC 9110 §15.4.8
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    steps:
      - id: unseeable
        title: A goal the journal cannot see
        cite: [rfc9110-15.4.8]
        text: Nothing arrives.
        exercise:
          kind: bring-your-own
          task: Make nothing arrive.
          code: 307
          goal: {arrives: false}
      - id: unoffered
        title: An answer not on offer
        cite: [rfc9110-15.4.8]
        text: Choose.
        exercise:
          kind: configure
          task: Keep the POST.
          client: httpx
          codes: [301, 302]
          goal: {method: POST}
          answer: {code: 307}
    """
)


def test_lint_points_at_exercise_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    problems = [str(problem) for problem in lint([path])]
    assert len(problems) == 2, problems
    assert any(
        p.startswith(f"{path}:18:23: steps[0].exercise.goal.arrives: ")
        and "a bring-your-own goal says what arrives" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"{path}:29:22: steps[1].exercise.answer.code: ")
        and "307 is not among the codes offered" in p
        for p in problems
    ), problems
