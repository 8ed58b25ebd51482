"""One line per request, for a teacher watching a class: who sent what, and how its chain ended.

The console may be projected for the whole class, so a line names each chain by its label,
never by its token (whoever holds a token can read that chain's Authorization and body), and
every field a client chose is printed by `one_line`.
"""

from __future__ import annotations

import time
from functools import lru_cache

from tutor.lab.evidence import Evidence, VerdictKind, size_text
from tutor.lab.journal import EXAMS, ChainReader, Hop, Journal, without_tokens
from tutor.lab.printable import one_line

__all__ = ["chain_text", "journal_line"]


def _field(text: str) -> str:
    """A path, query or Location as the console shows it: without tokens, spaces as %20 (a run
    of spaces could push a forged line onto a row of its own), then made printable."""
    return one_line(without_tokens(text).replace(" ", "%20"))


def chain_text(hop: Hop, journal: ChainReader) -> str:
    """Where `hop` leaves its chain: redirected on, arrived (with the verdict), abandoned by its
    client (what crossed), or no redirect."""
    if hop.is_redirect:
        return f"redirected to {_field(hop.location)}" if hop.location else "3xx without Location"
    verdict = Evidence.of_chain(journal.chain_until(hop) or [hop]).verdict
    plain = verdict.kind is VerdictKind.NO_REDIRECT and not hop.hung_up
    return "no redirect" if plain else verdict.text


@lru_cache(maxsize=4)
def _clock(second: int) -> str:
    """A time of day as the console shows it; many lines share each second."""
    return time.strftime("%H:%M:%S", time.localtime(second))


def journal_line(hop: Hop, journal: Journal) -> str:
    """Time, client address, method (after "https" for a request over TLS), path, status, body
    size, and the verdict of its chain: one line, whatever the request held (a student's path
    may carry escapes or line breaks)."""
    at = _clock(int(hop.at))
    if hop.chain.startswith(EXAMS):  # what arrived is the answer to an exam's question
        return f"{at} {hop.peer:<21} an exam question's run, not shown during the exam"
    query = f"?{hop.query}" if hop.query else ""
    target = f" -> {_field(hop.location)}" if hop.location else ""
    asked = _field(hop.path + query)
    method = one_line(hop.method, 16)
    if hop.scheme == "https":  # the lab's TLS listener; a plain request's line is unmarked
        method = f"https {method}"
    status = hop.status_text
    if hop.rejected:
        status += f" (rejected by the lab's HTTP parser: {one_line(hop.rejected, 80)})"
    return (
        f"{at} {hop.peer:<21} {method:<7} {asked} "
        f"{status}{target} ({size_text(hop.body_size)}) chain {hop.label}: "
        f"{one_line(chain_text(hop, journal))}"
    )
