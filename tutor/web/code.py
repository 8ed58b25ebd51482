"""The access code a teacher reads aloud: short, unambiguous, random, compared in constant time."""

from __future__ import annotations

import re
import secrets

__all__ = ["ALPHABET", "LENGTH", "code_problem", "door_code", "make_code", "matches"]

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits that no one mistakes aloud or on a board (no 0/O/1/I/L)."""
LENGTH = 6
"""31**6, about 887 million codes: with WrongGuesses' limit, a class period is far too short."""

_TEACHERS_CODE = re.compile(r"[A-Z0-9]{6,64}")


def make_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def door_code(given: str | None, *, loopback: bool) -> str | None:
    """The code visitors must enter: the teacher's own, else a new one off loopback, else none
    (on loopback only the teacher's own machine can reach the tutor)."""
    if given is None and not loopback:
        return make_code()
    return given


def _normal(code: str) -> str:
    """As a student may type it: any case, with spaces or hyphens between the characters."""
    return code.upper().replace(" ", "").replace("-", "")


def code_problem(code: str) -> str | None:
    """Why a teacher's own `--code` cannot be used, or None when it can."""
    if _TEACHERS_CODE.fullmatch(_normal(code)):
        return None
    return "The access code must be 6 to 64 letters and digits (spaces and hyphens are ignored)."


def matches(given: str, code: str) -> bool:
    """Whether a student typed the code; the comparison takes the same time wherever they differ."""
    return secrets.compare_digest(_normal(given).encode(), _normal(code).encode())
