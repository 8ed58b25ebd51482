"""What an experiment showed: the spec it ran, the client's version, and the lab's evidence."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.experiments.spec import ExperimentSpec
from tutor.lab.evidence import Evidence, Verdict
from tutor.lab.header_changes import Change, compared, header_lines
from tutor.lab.journal import Hop
from tutor.lab.reported import Reported

__all__ = ["Outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One run of `spec`. Every judgement is the evidence's; the properties only read it."""

    spec: ExperimentSpec
    client_version: str | None
    """None: the client is not installed."""
    evidence: Evidence

    @property
    def client(self) -> str:
        return self.spec.client

    @property
    def code(self) -> int | None:
        """The redirect asked for; None when the first answer was not one (`spec.start`)."""
        return self.spec.code

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def body(self) -> str:
        return self.spec.body

    @property
    def hops(self) -> tuple[Hop, ...]:
        return self.evidence.hops

    @property
    def arrived(self) -> Hop | None:
        return self.evidence.arrived

    @property
    def error(self) -> str | None:
        return self.evidence.error

    @property
    def reported(self) -> Reported | None:
        return self.evidence.reported

    @property
    def header_fates(self) -> str:
        """What became of each header field the experiment asked to send, as the lab saw it:
        "Headers at the target: Authorization arrived, Cookie dropped"; "" when it asked for
        none, or nothing arrived."""
        evidence = self.evidence
        first, parts = evidence.first, []
        if first is None or evidence.arrived is None:
            return ""
        for name in self.spec.headers:
            if first.header(name) is None:
                parts.append(f"{name} never sent")
            else:
                parts.append(f"{name} {'arrived' if evidence.arrived_with(name) else 'dropped'}")
        return f"Headers at the target: {', '.join(parts)}" if parts else ""

    @property
    def said(self) -> str | None:
        """What the client itself said, in one line: its error, or the answer it handed back."""
        if self.error is not None:
            return self.error
        return None if self.reported is None else f"the answer it got was {self.reported.text}"

    @property
    def verdict(self) -> Verdict:
        return self.evidence.verdict

    @property
    def body_intact(self) -> bool | None:
        return self.evidence.body_intact

    def to_json(self) -> dict[str, object]:
        """The object `try --json` prints, as ../shared/DESIGN.md specifies it."""
        arrived = self.arrived
        first = self.evidence.first
        return {
            "client": self.client,
            "client_version": self.client_version,
            "code": self.code,
            "method": self.method,
            "sent": {"method": self.method, "body": self.body},
            "first_hop": None
            if first is None
            else {"method": first.method, "body": first.body_text()},
            "hops": [
                {
                    **hop.to_json(),
                    "header_changes": [
                        line.to_json()
                        for line in header_lines(hop, before)
                        if line.change not in (Change.SENT, Change.KEPT)
                    ],
                }
                for hop, before in zip(self.hops, compared(self.hops), strict=True)
            ],
            "arrived": None
            if arrived is None
            else {"method": arrived.method, "body_intact": self.body_intact},
            "headers": {
                "crossed": list(self.evidence.crossed),
                "dropped": list(self.evidence.dropped),
            },
            "scheme": None
            if (change := self.evidence.scheme_change) is None
            else {"from": change[0], "to": change[1]},
            "requests": self.evidence.requests,
            "error": self.error,
            "reported": None if self.reported is None else self.reported.to_json(),
            "verdict": self.verdict.text,
            "verdict_kind": self.verdict.kind.value,
        }
