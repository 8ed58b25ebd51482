"""Run experiments: real clients against the real lab, judged from the lab's journal.

A batch groups the experiments by client: each client gets all of its requests at once (one
Node process, one browser), and the clients run side by side in threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from tutor.experiments import clients
from tutor.experiments.clients.base import Attempt, Request
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.journal import Hop, Journal, digest, new_token
from tutor.lab.verdict import Sent, Verdict, VerdictKind, arrival, judge

__all__ = ["DEFAULT_TIMEOUT", "run", "run_many"]

DEFAULT_TIMEOUT = 5.0


def run(
    spec: ExperimentSpec, lab_url: str, journal: Journal, timeout: float = DEFAULT_TIMEOUT
) -> Outcome:
    """Send `spec` with its client to the lab at `lab_url`, whose hops land in `journal`.

    Never raises for a client's failure: a refusal, a timeout or a missing program is an outcome.
    """
    return run_many([spec], lab_url, journal, timeout)[0]


def run_many(
    specs: Sequence[ExperimentSpec],
    lab_url: str,
    journal: Journal,
    timeout: float = DEFAULT_TIMEOUT,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every spec, each client's share as one batch, the clients at once; results in order.

    `on_outcome` hears of each outcome as its client's batch finishes (from a worker thread).
    """
    by_group: dict[str, list[int]] = {}
    for index, spec in enumerate(specs):
        by_group.setdefault(clients.get(spec.client).batch_group, []).append(index)
    outcomes: list[Outcome | None] = [None] * len(specs)

    def batch(group: str) -> None:
        chosen = [specs[i] for i in by_group[group]]
        for index, outcome in zip(
            by_group[group], _run_batch(chosen, lab_url, journal, timeout), strict=True
        ):
            outcomes[index] = outcome
            if on_outcome is not None:
                on_outcome(outcome)

    with ThreadPoolExecutor(max(len(by_group), 1), thread_name_prefix="client") as pool:
        for done in [pool.submit(batch, group) for group in by_group]:
            done.result()
    return [outcome for outcome in outcomes if outcome is not None]


def _run_batch(
    specs: Sequence[ExperimentSpec], lab_url: str, journal: Journal, timeout: float
) -> list[Outcome]:
    """Run the specs of one batch group: one call to its clients' `send_group`."""
    chosen = [clients.get(spec.client) for spec in specs]
    tokens = [new_token() for _ in specs]
    requests = [
        Request(
            spec.method,
            spec.url(lab_url, token),
            spec.body.encode(),
            dict(spec.headers),
            spec.stream,
        )
        for spec, token in zip(specs, tokens, strict=True)
    ]
    versions = [client.version() for client in chosen]
    reasons = [
        None if version is None else client.cannot_send(request)
        for client, version, request in zip(chosen, versions, requests, strict=True)
    ]
    sendable = [
        (index, (chosen[index], request))
        for index, request in enumerate(requests)
        for _ in range(specs[index].repeat)
        if versions[index] is not None and reasons[index] is None
    ]
    attempts: dict[int, Attempt] = {}
    if sendable:
        said = chosen[sendable[0][0]].send_group([work for _, work in sendable], timeout)
        for (index, _), attempt in zip(sendable, said, strict=True):
            attempts[index] = attempt  # a repeated request: what the client said the last time
    outcomes = []
    error: str | None
    for index, spec in enumerate(specs):
        client, version = chosen[index], versions[index]
        if version is None:
            error = f"{client.label} is not installed (install: {client.install_hint})"
            verdict = Verdict(VerdictKind.UNAVAILABLE, f"{spec.client} is not installed")
            outcomes.append(_outcome(spec, None, (), error, verdict))
            continue
        if reasons[index] is not None:
            verdict = Verdict(VerdictKind.NOT_EXPRESSIBLE, f"{spec.client} cannot send this")
            outcomes.append(_outcome(spec, version, (), reasons[index], verdict))
            continue
        hops = tuple(journal.chain(tokens[index]))
        arrived = arrival(hops)
        error = attempts[index].error
        body = spec.body.encode()
        sent = Sent(spec.method, len(body), digest(body))
        verdict = judge(sent, arrived, status=spec.code, error=error)
        outcomes.append(_outcome(spec, version, hops, error, verdict, arrived))
    return outcomes


def _outcome(
    spec: ExperimentSpec,
    version: str | None,
    hops: tuple[Hop, ...],
    error: str | None,
    verdict: Verdict,
    arrived: Hop | None = None,
) -> Outcome:
    return Outcome(
        client=spec.client,
        client_version=version,
        code=spec.code,
        method=spec.method,
        body=spec.body,
        hops=hops,
        arrived=arrived,
        error=error,
        verdict=verdict,
    )
