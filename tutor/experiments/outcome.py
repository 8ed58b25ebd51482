"""What an experiment showed: the hops as the lab saw them, what arrived, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.lab.journal import Hop, digest
from tutor.lab.verdict import Verdict

__all__ = ["Outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
    client: str
    client_version: str | None
    code: int
    method: str
    body: str
    hops: tuple[Hop, ...]
    arrived: Hop | None
    error: str | None
    verdict: Verdict

    @property
    def body_intact(self) -> bool | None:
        """Whether the target received exactly the body that was sent (None: nothing arrived)."""
        if self.arrived is None:
            return None
        sent = self.body.encode()
        return (self.arrived.body_size, self.arrived.body_digest) == (len(sent), digest(sent))

    def to_json(self) -> dict[str, object]:
        """The object `try --json` prints, as ../shared/DESIGN.md specifies it."""
        arrived = None
        if self.arrived is not None:
            arrived = {"method": self.arrived.method, "body_intact": self.body_intact}
        return {
            "client": self.client,
            "client_version": self.client_version,
            "code": self.code,
            "method": self.method,
            "sent": {"method": self.method, "body": self.body},
            "hops": [hop.to_json() for hop in self.hops],
            "arrived": arrived,
            "error": self.error,
            "verdict": self.verdict.text,
            "verdict_kind": self.verdict.kind.value,
        }
