"""What lessons 12 and 15 need beyond the lab's routes: experiments that start at another route
(`start`), claims about the origin a request reached, honest verdicts for answers that are not
redirects, and lesson 12's `safe_next` sketch run against every trick it names."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from tutor.course.files import builtin_lessons_dir
from tutor.course.loader import load_file
from tutor.course.models import Lesson
from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.evidence import Evidence, VerdictKind
from tutor.lab.journal import Hop


def _hop(status: int, host: str, location: str | None = None, seq: int = 1) -> Hop:
    return Hop(
        seq=seq,
        chain="c",
        at=0.0,
        peer="-",
        method="GET",
        path="/login/naive" if seq == 1 else "/echo",
        query="",
        headers=(("host", host),),
        body=b"",
        body_size=0,
        body_digest="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        status=status,
        location=location,
    )


def test_start_sends_its_own_query_then_the_code_and_the_chain() -> None:
    spec = ExperimentSpec(code=307, method="GET", start="/login/naive?next=//{other}/echo")
    assert spec.url("http://127.0.0.1:9", "T") == (
        "http://127.0.0.1:9/login/naive?next=%2F%2F%7Bother%7D%2Fecho&code=307&chain=T"
    )
    plain = ExperimentSpec(start="/accepted")
    assert plain.url("http://lab", "T") == "http://lab/accepted?chain=T"
    assert (plain.first_answer, spec.first_answer) == (
        "202 Accepted + Location",
        "307 Temporary Redirect",
    )


def test_a_route_with_an_answer_of_its_own_takes_no_code_and_a_redirect_needs_one() -> None:
    with pytest.raises(ValidationError, match=re.escape("answers 201 Created + Location itself")):
        ExperimentSpec(code=303, start="/created")
    with pytest.raises(ValidationError, match="'code' is missing"):
        ExperimentSpec(start="/login")
    with pytest.raises(ValidationError, match="'code' is missing"):
        ExperimentSpec()


def test_start_names_a_route_of_the_lab() -> None:
    with pytest.raises(ValidationError, match="'start' is one of the lab's routes"):
        ExperimentSpec(code=303, start="/nowhere?next=/echo")


def test_start_takes_none_of_the_options_of_redirect() -> None:
    with pytest.raises(ValidationError, match="options of /redirect"):
        ExperimentSpec(code=303, start="/login", origin="other")


def test_origin_is_judged_by_the_host_each_request_named() -> None:
    other = Evidence.of_chain(
        [_hop(303, "127.0.0.1:8307", "//127.0.0.1:8308/echo"), _hop(200, "127.0.0.1:8308", seq=2)]
    )
    same = Evidence.of_chain(
        [_hop(303, "127.0.0.1:8307", "/\\127.0.0.1:8308/echo"), _hop(404, "127.0.0.1:8307", seq=2)]
    )
    assert Expectation(origin="other").mismatches(other) == []
    assert Expectation(origin="same").mismatches(same) == []
    assert Expectation(origin="same").mismatches(other) == [
        "expected it to arrive at the same origin, but it came to 127.0.0.1:8308"
    ]


def test_an_answer_with_a_location_that_is_not_a_redirect_is_said_so() -> None:
    created = Evidence.of_chain([_hop(201, "lab", "/echo?chain=c")])
    assert created.verdict.kind is VerdictKind.NO_REDIRECT
    assert (
        created.verdict.text == "Not a redirect: the 201 is the answer, its Location not followed"
    )
    assert created.arrived is None
    refused = Evidence.of_chain([_hop(400, "lab")])
    assert refused.verdict.text == "No redirect: the lab answered 400"


def _safe_next() -> Callable[[str], str]:
    """The function lesson 12's last step shows, taken from the lesson itself."""
    lesson, problems = load_file(builtin_lessons_dir() / "12-open-redirects.yaml")
    assert problems == [] and isinstance(lesson, Lesson)
    text = next(step.text for step in lesson.steps if step.id == "checking-right")
    found = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert found, "the step shows its sketch in a ```python block"
    namespace: dict[str, object] = {}
    exec(found.group(1), namespace)  # the course's own sketch, from the repository
    safe_next = namespace["safe_next"]
    assert callable(safe_next)
    return safe_next  # type: ignore[no-any-return]


TRICKS = [
    "//evil.example/login",
    "/\\evil.example/login",
    "///evil.example/login",
    "/\\/evil.example/login",
    "/\t/evil.example/login",
    "https:evil.example",
    "http:evil.example",
    "https://evil.example/",
    "https://bank.example@evil.example/",
    "https://bank.example.evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
]
PATHS = ["/account", "/", "/a/b?x=1#top", "/.//evil.example", "/%2F/evil.example"]


def test_the_sketch_turns_every_trick_into_the_home_page() -> None:
    safe_next = _safe_next()
    assert {trick: safe_next(trick) for trick in TRICKS} == dict.fromkeys(TRICKS, "/")
    assert [safe_next(path) for path in PATHS] == PATHS


def test_what_the_sketch_keeps_stays_on_the_site_for_a_whatwg_parser(
    installed: Callable[[str], object],
) -> None:
    """Node's URL is the WHATWG parser browsers use: every value the sketch returns resolves
    on https://bank.example, and every trick, taken as it came, would not (that is why)."""
    installed("node")
    safe_next = _safe_next()
    values = [safe_next(value) for value in TRICKS + PATHS]
    script = (
        "const base = 'https://bank.example/login';"
        "const origin = (v) => {"
        "  try { return new URL(v, base).origin; } catch { return 'error'; }"
        "};"
        "const [kept, tricks] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify([kept.map(origin), tricks.map(origin)]));"
    )
    done = subprocess.run(
        ["node", "-e", script, json.dumps([values, TRICKS[:5]])],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    kept, tricks = json.loads(done.stdout)
    assert set(kept) == {"https://bank.example"}
    assert set(tricks) == {"https://evil.example"}
