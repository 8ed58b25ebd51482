"""A teacher's first course files (a lesson, a quiz bank, a card): valid as written, with every
part of the format to copy from."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "StarterExists",
    "lesson_id",
    "starter_card",
    "starter_lesson",
    "starter_quiz",
    "write_starter",
]


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


def starter_quiz(name: str, lesson: str) -> str:
    """The YAML text of a new question bank called `name` for the lesson `lesson`: one question
    of each fixed kind (single, multiple, truefalse) and a predict question graded live. Its ids
    start with the bank's, so they clash with no built-in question."""
    title = name.strip() or "My quiz"
    return _QUIZ.format(id=lesson_id(name), title=title.replace('"', "'"), lesson=lesson)


def starter_card(code: int) -> str:
    """The YAML text of a new reference card for `code`: every section, a confusion, a question
    and answer, and a live experiment with its claim."""
    other = 307 if code != 307 else 308
    followed = code in (301, 302, 303, 307, 308)  # the codes httpx follows
    return _CARD.format(
        code=code,
        other=other,
        expect="{method: GET}" if followed else "{arrives: false}",
        follows="follows" if followed else "stops at",
    )


def write_starter(name: str, folder: Path, text: str | None = None) -> Path:
    """Write `text` (default: `starter_lesson(name)`) to folder/ID.yaml, ID from `name`,
    making the folder (and its parents) if needed; StarterExists if that file is there."""
    path = folder / f"{lesson_id(name)}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(starter_lesson(name) if text is None else text)
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

_QUIZ = """\
# A question bank for redirect-tutor. Check it with: redirect-tutor lint THIS-FILE
# Question ids are unique across every bank, the built-in ones included.
# TEACHING.md ("Quiz banks and cards") explains every key.
format: 1
kind: quiz
id: quiz-{id}
title: "{title}"
lesson: {lesson}

citations:
  - id: rfc9110-15.4.8
    title: RFC 9110 §15.4.8 307 Temporary Redirect
    url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
  - id: rfc9110-15.4.3
    title: RFC 9110 §15.4.3 302 Found
    url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.3

questions:
  - id: {id}-single
    kind: single
    prompt: A POST meets a 307. What may the client send next?
    cite: [rfc9110-15.4.8]
    choices:
      - id: same-post
        text: The same POST, with the same body
        correct: true
        explanation: A 307 forbids changing the method.
      - id: a-get
        text: A GET without the body
        explanation: That is what clients often do after a 302, never after a 307.
        misconception: Every redirect turns a POST into a GET.

  - id: {id}-multiple
    kind: multiple
    prompt: Which codes keep the method and the body?
    cite: [rfc9110-15.4.8, rfc9110-15.4.3]
    choices:
      - id: code-307
        text: "307"
        correct: true
        explanation: 307 keeps the method, as RFC 9110 requires.
      - id: code-302
        text: "302"
        explanation: After a 302 a client may change POST to GET, and most do.
        misconception: 302 and 307 mean the same.

  - id: {id}-truefalse
    kind: truefalse
    prompt: After a 302, a client may send a GET in place of the POST.
    cite: [rfc9110-15.4.3]
    choices:
      - id: "true"
        text: "True"
        correct: true
        explanation: RFC 9110 allows it, for historical reasons.
      - id: "false"
        text: "False"
        explanation: The permission is in RFC 9110 §15.4.3.
        misconception: A 302 always keeps the method.

  - id: {id}-predict
    kind: predict
    prompt: httpx POSTs name=ada and gets a 307. What arrives next?
    cite: [rfc9110-15.4.8]
    experiment:
      code: 307
      method: POST
      body: "name=ada"
      client: httpx
    choices:
      - id: post-intact
        text: The POST again, with name=ada
        expect: {{method: POST, body: intact}}
        explanation: Right. A 307 must not change the method.
      - id: get-dropped
        text: A GET, without the body
        expect: {{method: GET, body: dropped}}
        explanation: That happens after a 302 or 303, not after a 307.
        misconception: Every redirect turns a POST into a GET.
"""

_CARD = """\
# A reference card for redirect-tutor, one per status code. Check it with:
# redirect-tutor lint THIS-FILE. The built-in cards in lessons/cards/ show every key in use.
format: 1
kind: card
id: card-{code}
code: {code}
name: The reason phrase RFC 9110 gives {code}

rfc:
  text: The specification's own words about {code}, quoted exactly.
  cite: rfc9110-15.4

plain:
  text: |
    What {code} means, in plain words.
  cite: [rfc9110-15.4]

misconception:
  text: |
    **What people wrongly believe about {code}.** And why it is wrong.
  cite: [rfc9110-15.4]

when_to_use:
  text: |
    When a server should answer {code}, and when not.
  cite: [rfc9110-15.4]

caching:
  text: |
    Whether a cache may keep a {code}, and for how long.
  cite: [rfc9110-15.4]

seo:
  text: |
    What a search engine does with a {code}.
  cite: [rfc9110-15.4]

confused_with:
  - code: {other}
    difference: >-
      How {other} differs from {code}.

faq:
  - question: A question learners ask about {code}?
    answer: >-
      Its answer, in a sentence or two.
    cite: [rfc9110-15.4]

experiments:
  - id: get-{code}-httpx
    label: GET answered with {code}, sent by httpx
    code: {code}
    method: GET
    client: httpx
    expect: {expect}   # the claim: httpx {follows} a {code}

citations:
  - id: rfc9110-15.4
    title: RFC 9110 §15.4 Redirection 3xx
    url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4
"""
