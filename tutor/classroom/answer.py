"""A class lab's answer read as JSON within a deadline and a size, whoever wrote it.

The teacher's `class` and a student's tutor each trust the URL they were given, not the program
behind it. httpx bounds each read, not the whole answer, nor its size: a lab that drips a byte
every few seconds, or sends a gigabyte, would hold the caller for ever or fill its memory. So the
answer is streamed and given up on past the deadline or the cap, and its JSON is read without
letting deep nesting (RecursionError) or NaN through, none of which a lab writes (RFC 8259 §6).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx

__all__ = ["CAP", "Answer", "AnswerError", "TooLarge", "TooSlow", "fetch_json", "fetch_json_sync"]

CAP = 32 * 1024 * 1024
"""Bytes of one answer read at most: the class table of 40 students is a small part of it."""


class AnswerError(Exception):
    """The answer was given up on; the message is a clause for the caller's sentence, such as
    "did not answer within 5 seconds"."""


class TooSlow(AnswerError):
    """The whole answer did not arrive before the deadline."""


class TooLarge(AnswerError):
    """The answer is longer than the cap."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    document: Any
    """The JSON answer; None when the body is not JSON a lab writes (nor too deep to read)."""


async def fetch_json(
    client: httpx.AsyncClient, request: httpx.Request, seconds: float, cap: int = CAP
) -> Answer:
    """Send `request` and read its answer, all of it within `seconds` (connecting, the head and
    every byte of the body); TooSlow, TooLarge, or httpx.HTTPError when the network fails."""
    body = _Body(seconds, cap)
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    try:
        async with asyncio.timeout(seconds):
            response = await client.send(request, stream=True)
            try:
                body.begin(response)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
            finally:
                await response.aclose()
    except TimeoutError:
        body.too_slow()
    return body.answer(response.status_code)


def fetch_json_sync(
    client: httpx.Client, request: httpx.Request, seconds: float, cap: int = CAP
) -> Answer:
    """Send `request` and read its answer within `seconds`: the body is given up on as soon as
    a piece of it arrives after the deadline, and no single wait for the network (to connect,
    for the head, for a piece) is longer than `seconds`. A head dripped in byte by byte is
    bounded only by that wait and by the parser's limit on its size: a blocking client has no
    way to stop a read from outside it. TooSlow, TooLarge, or httpx.HTTPError when the network
    fails."""
    body = _Body(seconds, cap)
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    response = client.send(request, stream=True)
    try:
        body.begin(response)
        for chunk in response.iter_bytes():
            body.add(chunk)
    finally:
        response.close()
    return body.answer(response.status_code)


class _Body:
    """One answer's body as it arrives, held to the deadline and the cap."""

    def __init__(self, seconds: float, cap: int) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cap = cap
        self.chunks: list[bytes] = []
        self.size = 0

    def begin(self, response: httpx.Response) -> None:
        """TooLarge at once for an answer that says it is longer than the cap."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.cap:
            self.too_large()

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.cap:
            self.too_large()
        if time.monotonic() > self.deadline:
            self.too_slow()
        self.chunks.append(chunk)

    def answer(self, status: int) -> Answer:
        try:
            document = json.loads(b"".join(self.chunks), parse_constant=_not_json)
        except (ValueError, RecursionError):
            document = None
        return Answer(status, document)

    def too_slow(self) -> NoReturn:
        raise TooSlow(f"did not answer within {self.seconds:g} seconds")

    def too_large(self) -> NoReturn:
        raise TooLarge(f"sent an answer over {self.cap / 2**20:.3g} MiB")


def _not_json(constant: str) -> NoReturn:
    """NaN and the infinities: Python's json reads them, RFC 8259 has no such numbers."""
    raise ValueError(f"{constant} is not a JSON number")
