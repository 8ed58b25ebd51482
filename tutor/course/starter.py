"""A teacher's first lesson file: valid as written, with every part of the format to copy from."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["StarterExists", "lesson_id", "starter_lesson", "write_starter"]


class StarterExists(Exception):
    """The file is already there; a starter never overwrites a teacher's work."""


def lesson_id(name: str) -> str:
    """The lesson id for a name a teacher typed: "My 307 lesson" -> "my-307-lesson"."""
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")
    return slug or "my-lesson"


def starter_lesson(name: str) -> str:
    """The YAML text of a new lesson called `name`: one step that cites a source, runs a live
    experiment with the outcome it claims, asks for a prediction, and sets an exercise."""
    title = name.strip() or "My lesson"
    return _TEMPLATE.format(id=lesson_id(name), title=title.replace('"', "'"))


def write_starter(name: str, folder: Path) -> Path:
    """Write `starter_lesson(name)` to folder/ID.yaml; StarterExists if that file is there."""
    path = folder / f"{lesson_id(name)}.yaml"
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(starter_lesson(name))
    except FileExistsError:
        raise StarterExists(f"{path} already exists; not overwriting it.") from None
    return path


_TEMPLATE = """\
# A lesson for redirect-tutor. Check it with: redirect-tutor lint THIS-FILE
# Open it in the tutor with: redirect-tutor --lessons FOLDER
# TEACHING.md explains every key.
format: 1
id: {id}
title: "{title}"
summary: One sentence that says what the learner will see.
minutes: 10

citations:
  - id: rfc9110-15.4.8
    title: RFC 9110 §15.4.8 307 Temporary Redirect
    url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    quote: >-
      The 307 (Temporary Redirect) status code indicates that the target
      resource resides temporarily under a different URI and the user agent
      MUST NOT change the request method if it performs an automatic
      redirection to that URI.

steps:
  - id: post-307
    title: A POST meets a 307
    cite: [rfc9110-15.4.8]
    text: |
      A **307** asks the client to send the *same* request again, to the
      URL in its Location. Predict what arrives, then run it.
    experiments:
      - id: post-307-httpx
        label: POST answered with 307, sent by httpx
        code: 307
        method: POST
        body: "name=ada"
        client: httpx
        expect: {{method: POST, body: intact}}
    predict:
      experiment: post-307-httpx
      prompt: "httpx POSTs name=ada and gets a 307. What arrives next?"
      choices:
        - id: post-intact
          text: The POST again, with name=ada
          expect: {{method: POST, body: intact}}
          explanation: Right. A 307 must not change the method.
        - id: get-dropped
          text: A GET, without the body
          expect: {{method: GET, body: dropped}}
          explanation: >-
            RFC 9110 lets a client change POST to GET after a 302, not after a 307.
          misconception: Every redirect turns a POST into a GET.
      hints:
        - Compare the quote from RFC 9110 with what you know of 302.
"""
