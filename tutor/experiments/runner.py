"""Run an experiment: a real client against the real lab, judged from the lab's journal."""

from __future__ import annotations

from urllib.parse import urlencode

from tutor.experiments import clients
from tutor.experiments.clients.base import Request
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.journal import Journal, digest, new_token
from tutor.lab.verdict import Sent, Verdict, VerdictKind, judge

__all__ = ["DEFAULT_TIMEOUT", "run"]

DEFAULT_TIMEOUT = 5.0


def run(
    spec: ExperimentSpec, lab_url: str, journal: Journal, timeout: float = DEFAULT_TIMEOUT
) -> Outcome:
    """Send `spec` with its client to the lab at `lab_url`, whose hops land in `journal`.

    Never raises for a client's failure: a refusal, a timeout or a missing program is an outcome.
    """
    client = clients.get(spec.client)
    version = client.version()
    body = spec.body.encode()
    if version is None:
        return Outcome(
            client=spec.client,
            client_version=None,
            code=spec.code,
            method=spec.method,
            body=spec.body,
            hops=(),
            arrived=None,
            error=f"{client.label} is not installed (install: {client.install_hint})",
            verdict=Verdict(VerdictKind.UNAVAILABLE, f"{spec.client} is not installed"),
        )
    token = new_token()
    query = {"chain": token} if spec.to == "/echo" else {"to": spec.to, "chain": token}
    url = f"{lab_url}/redirect/{spec.code}?{urlencode(query)}"
    attempt = client.send(Request(spec.method, url, body, dict(spec.headers)), timeout)
    hops = tuple(journal.chain(token))
    arrived = hops[-1] if hops and not hops[-1].is_redirect and len(hops) > 1 else None
    sent = Sent(spec.method, len(body), digest(body))
    return Outcome(
        client=spec.client,
        client_version=version,
        code=spec.code,
        method=spec.method,
        body=spec.body,
        hops=hops,
        arrived=arrived,
        error=attempt.error,
        verdict=judge(sent, arrived, status=spec.code, error=attempt.error),
    )
