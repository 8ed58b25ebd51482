"""The lab's fast path keeps its promises: a console past its rate counts what it does not show,
and an answer's head and body leave in one write, in order, whatever comes between."""

from __future__ import annotations

import asyncio

from tutor.lab.guard import OneWrite
from tutor.lab.journal import Journal
from tutor.lab.watch import Watch


def _record(journal: Journal, index: int) -> None:
    journal.record(
        chain=f"chain{index}",
        peer="127.0.0.1:5000",
        method="POST",
        path="/redirect/307",
        query="",
        headers=[("host", "lab")],
        body=b"a=1",
        body_size=3,
        body_digest="",
        status=307,
    )


def test_a_console_past_its_rate_shows_some_and_counts_the_rest() -> None:
    journal = Journal()
    shown: list[int] = []
    dropped: list[int] = []
    batches: list[int] = []
    watch = Watch(
        lambda hop: shown.append(hop.seq),
        dropped.append,
        limit=10_000,
        per_second=10,
        idle=lambda: batches.append(len(shown)),
    )
    journal.subscribe(watch.hear)
    for index in range(500):
        _record(journal, index)
    watch.stop()
    assert 10 <= len(shown) < 500, "a burst of one second's worth, then counted"
    assert len(shown) + sum(dropped) == 500, "every request shown or counted"
    assert shown == sorted(shown)
    assert batches, "the reader heard when to write its batch"


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return name


def test_a_head_and_its_body_leave_in_one_write() -> None:
    async def answer() -> list[bytes]:
        transport = _Transport()
        corked = OneWrite(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        corked.write(b"HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 3\r\n\r\n")
        corked.write(b"see")
        await asyncio.sleep(0)
        assert corked.get_extra_info("peername") == "peername"
        return transport.writes

    writes = asyncio.run(answer())
    assert writes == [b"HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 3\r\n\r\nsee"]


def test_a_head_whose_body_is_late_leaves_at_the_next_turn_or_at_a_close() -> None:
    async def answer() -> tuple[list[bytes], list[bytes]]:
        loop = asyncio.get_running_loop()
        streamed, closed = _Transport(), _Transport()
        late = OneWrite(streamed, loop)  # type: ignore[arg-type]
        late.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        await asyncio.sleep(0)
        late.write(b"3\r\nabc\r\n")
        ended = OneWrite(closed, loop)  # type: ignore[arg-type]
        ended.write(b"HTTP/1.1 200 OK\r\n\r\n")
        ended.close()
        return streamed.writes, closed.writes

    streamed, closed = asyncio.run(answer())
    assert streamed == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", b"3\r\nabc\r\n"]
    assert closed == [b"HTTP/1.1 200 OK\r\n\r\n"]
