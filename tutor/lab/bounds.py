"""The lab's limits: what a request, a chain, a client or a class can make it keep or wait for.

On a school network the lab serves thirty or forty students, and one of them may be hostile or
just careless (a loop in a script, a browser left dribbling). Every resource a client can make
the lab spend has a bound here; `serve --help` prints them, and its options change the ones a
teacher may want to change. The defaults suit a class of 40 on one laptop.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIELD_COST", "HOP_COST", "Bounds"]

FIELD_COST = 100
"""Bytes a kept header field costs beyond its text (its tuple and two strings), counted against
`Bounds.head_kept` and `Bounds.journal_bytes`: eight thousand empty fields are not free."""

HOP_COST = 600
"""Bytes a journaled request costs beyond what its client chose, counted against
`Bounds.journal_bytes`."""


@dataclass(frozen=True, slots=True)
class Bounds:
    body: int = 1024 * 1024
    """Largest request body the lab reads; more is answered with 413."""
    target: int = 16 * 1024
    """Largest request target (414); RFC 9112 §3 asks for at least 8,000 octets. It is kept
    well under the HTTP parser's own limit (a URL of 65,535 bytes), so that the lab, not the
    parser, answers and journals every target it refuses."""
    head: int = 64 * 1024
    """Largest header block the lab takes (431)."""
    head_kept: int = 8 * 1024
    """Bytes of each request's header fields the journal keeps, each field counted with
    `FIELD_COST` more for what holding it costs (so at most about 80 fields): enough for every
    header a lesson looks at. The field that crosses the bound is cut and ends in "…"."""
    body_kept: int = 16 * 1024
    """Bytes of each body the journal keeps; the size and digest always cover the whole body."""
    chain_hops: int = 100
    """Requests in one chain. The clients' own redirect limits stop a loop well before (curl,
    the most patient, at 51 requests); a request past this one gets 429 and starts no hop."""
    journal_hops: int = 10_000
    """Requests the journal holds; the oldest go first."""
    journal_bytes: int = 64 * 1024 * 1024
    """Bytes of headers and bodies the journal holds; the oldest requests go first."""
    echo_bytes: int = 1024 * 1024
    """Largest /echo answer: past it, the earlier hops of the chain are listed without their
    headers and bodies."""
    connections_per_address: int = 64
    """Open connections from one client address; one more is answered 503 and closed. A
    browser opens six per origin, and a student's tutor running the matrix about twenty."""
    body_chunks: int = 4096
    """Pieces (chunks, packets) one request body may come in: a browser sends a few, while a
    megabyte in one-byte chunks would cost the lab's loop seconds; past it, 413 and closed."""
    head_timeout: float = 10.0
    """Seconds a client has to send a request's head, from its first byte (or from connecting)."""
    body_timeout: float = 30.0
    """Seconds a client has to send a request's whole body, once its head has arrived."""
    console_lines: int = 1000
    """Lines waiting for a slow console (a paused terminal, a pipe); past it lines are dropped,
    and the console says how many."""

    def lines(self) -> list[str]:
        """Each bound as a teacher reads it (`serve --help`)."""
        return [
            f"requests in one chain: {self.chain_hops} (then 429)",
            f"request body: {_size(self.body)} (413); the journal keeps {_size(self.body_kept)}",
            f"request target: {_size(self.target)} (414); header block: {_size(self.head)} "
            f"(431), {_size(self.head_kept)} of it kept",
            f"pieces of one request body: {self.body_chunks:,} (then 413)",
            f"journal: {self.journal_hops:,} requests, {_size(self.journal_bytes)}; "
            "the client holding most loses its oldest first",
            f"/echo answer: {_size(self.echo_bytes)} (earlier hops then without detail)",
            f"open connections from one address: {self.connections_per_address} (then 503)",
            f"time to send a request head: {self.head_timeout:g} s, a body: "
            f"{self.body_timeout:g} s (then 408)",
            f"console lines waiting: {self.console_lines:,} (then dropped and counted)",
        ]


def _size(count: int) -> str:
    """A size in bytes for a person: "16 KiB", "1 MiB"."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count} bytes"
