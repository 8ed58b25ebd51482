"""One line per request, for a teacher watching a class: who sent what, and how its chain ended."""

from __future__ import annotations

import time

from tutor.lab.journal import Hop, Journal
from tutor.lab.verdict import bytes_text, chain_verdict

__all__ = ["chain_text", "journal_line", "size_text"]


def size_text(size: int) -> str:
    """A body size as a person reads it: "no body", "1 byte", "12 bytes"."""
    return bytes_text(size) if size else "no body"


def chain_text(hop: Hop, journal: Journal) -> str:
    """Where `hop` leaves its chain: redirected on, arrived (with the verdict), or no redirect."""
    chain = journal.chain_until(hop)
    if hop.is_redirect:
        return f"redirected to {hop.location}" if hop.location else "3xx without Location"
    verdict = chain_verdict(chain or [hop])
    return verdict.text if verdict else "no redirect"


def journal_line(hop: Hop, journal: Journal) -> str:
    """Time, client address, method, path, status, body size, and the verdict of its chain."""
    at = time.strftime("%H:%M:%S", time.localtime(hop.at))
    query = f"?{hop.query}" if hop.query else ""
    target = f" -> {hop.location}" if hop.location else ""
    return (
        f"{at} {hop.peer:<21} {hop.method:<7} {hop.path}{query} {hop.status}{target} "
        f"({size_text(hop.body_size)}) chain {hop.chain}: {chain_text(hop, journal)}"
    )
