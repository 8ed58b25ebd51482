"""Run experiments: real clients against the real lab, judged from the lab's journal.

A batch groups the experiments by client: each client gets all of its requests at once (one
Node process, one browser), and the clients run side by side in threads. A set `cancel` event
stops every batch and kills the programs it started; so does an interrupt (Ctrl+C) of the
thread waiting for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from tutor.experiments import clients
from tutor.experiments.clients.base import Attempt, Cancel, Client, Request
from tutor.experiments.clients.side_by_side import side_by_side
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.authority import TlsLab
from tutor.lab.evidence import Evidence, Sent, VerdictKind
from tutor.lab.journal import ChainReader

__all__ = ["DEFAULT_TIMEOUT", "run", "run_many"]

DEFAULT_TIMEOUT = 5.0


def run(
    spec: ExperimentSpec,
    lab_url: str,
    journal: ChainReader,
    timeout: float = DEFAULT_TIMEOUT,
    cancel: Cancel | None = None,
    tls: TlsLab | None = None,
) -> Outcome:
    """Send `spec` with its client to the lab at `lab_url`, whose hops land in `journal`; `tls`
    is the lab's TLS listener, for a spec that changes scheme.

    Never raises for a client's failure: a refusal, a timeout or a missing program is an outcome.
    """
    return run_many([spec], lab_url, journal, timeout, cancel=cancel, tls=tls)[0]


def run_many(
    specs: Sequence[ExperimentSpec],
    lab_url: str,
    journal: ChainReader,
    timeout: float = DEFAULT_TIMEOUT,
    on_outcome: Callable[[Outcome], object] | None = None,
    cancel: Cancel | None = None,
    tls: TlsLab | None = None,
) -> list[Outcome]:
    """Run every spec, each client's share as one batch, the clients at once; results in order.

    `on_outcome` hears of each outcome as its client's batch finishes (from a worker thread, or
    from the calling one when a single client runs).
    """
    either = _Either(cancel)
    chosen = [clients.get(spec.client) for spec in specs]
    by_group: dict[str, list[int]] = {}
    slow: set[str] = set()
    for index, client in enumerate(chosen):
        by_group.setdefault(client.batch_group, []).append(index)
        if client.starts_slowly:
            slow.add(client.batch_group)
    outcomes: list[Outcome | None] = [None] * len(specs)

    def batch(group: str) -> None:
        work = [(specs[i], chosen[i]) for i in by_group[group]]
        judged = _run_batch(work, lab_url, journal, timeout, either, tls or _NO_TLS)
        for index, outcome in zip(by_group[group], judged, strict=True):
            outcomes[index] = outcome
            if on_outcome is not None and not either.is_set():
                on_outcome(outcome)

    try:
        if len(by_group) == 1:  # one client: its batch runs here, without a thread to start
            batch(next(iter(by_group)))
        else:
            first = sorted(by_group, key=lambda group: group not in slow)  # the browser's first
            side_by_side([partial(batch, group) for group in first], len(first), "client")
    except BaseException:  # a Ctrl+C (or a batch's own failure): every batch still running stops
        either.interrupted = True
        raise
    return [outcome for outcome in outcomes if outcome is not None]


class _Either:
    """Set once the caller's cancel is, or the runner was interrupted (a flag the calling thread
    raises and the batches' threads read: nothing waits on it)."""

    def __init__(self, cancel: Cancel | None) -> None:
        self._cancel = cancel
        self.interrupted = False

    def is_set(self) -> bool:
        return self.interrupted or (self._cancel is not None and self._cancel.is_set())


_NO_TLS = TlsLab(problem="this lab was started without a TLS listener")

_HANG_UP_GRACE = 0.25
"""Seconds the runner gives the lab, once per batch, to journal requests cut short."""


def _wait_for_hang_ups(journal: ChainReader, attempts: Sequence[tuple[str, Attempt]]) -> None:
    """A client that failed after a redirect with a streamed body may have sent the next
    request's headers and hung up (httpx does on a 307): the lab journals that request a moment
    after the client is gone. Wait for it, briefly, once for the whole batch. Only a body the
    client cannot read again makes it stop mid-request, so no other run waits."""
    stopped = {}
    for token, attempt in attempts:
        hops = journal.chain(token)
        if attempt.error and hops and hops[-1].is_redirect:
            stopped[token] = len(hops)
    if stopped:
        journal.wait_for_more(stopped, _HANG_UP_GRACE)


def _run_batch(
    work: Sequence[tuple[ExperimentSpec, Client]],
    lab_url: str,
    journal: ChainReader,
    timeout: float,
    cancel: Cancel,
    tls: TlsLab,
) -> list[Outcome]:
    """Run the specs of one batch group, each with its client: one call to their `send_batch`."""
    specs = [spec for spec, _ in work]
    chosen = [client for _, client in work]
    tokens = [journal.new_token() for _ in specs]
    requests = [
        Request(
            spec.method,
            spec.url(lab_url, token, tls.url),
            spec.body.encode(),
            dict(spec.headers),
            spec.stream,
            spec.redirect,
            tls.ca if spec.secure else None,
            spec.hsts_url(lab_url, tls.url),
        )
        for spec, token in zip(specs, tokens, strict=True)
    ]
    versions = [client.version() for client in chosen]
    reasons = [
        None if version is None else client.cannot_send(request)
        for client, version, request in zip(chosen, versions, requests, strict=True)
    ]
    no_tls = [spec.secure and tls.problem is not None for spec in specs]
    sendable = [
        (index, (chosen[index], request))
        for index, request in enumerate(requests)
        for _ in range(specs[index].repeat)
        if versions[index] is not None and reasons[index] is None and not no_tls[index]
    ]
    attempts: dict[int, Attempt] = {}
    if sendable:
        said = chosen[sendable[0][0]].send_batch([work for _, work in sendable], timeout, cancel)
        for (index, _), attempt in zip(sendable, said, strict=True):
            attempts[index] = attempt  # a repeated request: what the client said the last time
        streamed = [(tokens[i], a) for i, a in attempts.items() if specs[i].stream]
        _wait_for_hang_ups(journal, streamed)
    outcomes = []
    for index, spec in enumerate(specs):
        client, version = chosen[index], versions[index]
        asked = Sent.of(spec.method, spec.body.encode())
        if version is None:
            error = f"{client.label} is not installed (install: {client.install_hint})"
            text = f"{spec.client} is not installed"
            evidence = Evidence.unsent(VerdictKind.UNAVAILABLE, text, error, asked)
        elif no_tls[index]:
            text = "the lab has no TLS listener"
            evidence = Evidence.unsent(VerdictKind.UNAVAILABLE, text, tls.problem, asked)
        elif (reason := reasons[index]) is not None:
            text = f"{spec.client} cannot send this"
            evidence = Evidence.unsent(VerdictKind.NOT_EXPRESSIBLE, text, reason, asked)
        else:
            hops = journal.chain(tokens[index])
            attempt = attempts[index]
            evidence = Evidence.of_chain(
                hops,
                asked=asked,
                error=attempt.error,
                reported=attempt.reported,
                asked_scheme=spec.first_scheme,
            )
        outcomes.append(Outcome(spec, version, evidence))
    return outcomes
