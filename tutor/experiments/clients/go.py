"""Go's net/http: an http.Client with its defaults, one program for a whole batch of requests.

The program (programs/redirect_client.go, shipped with the tutor) is built once, on first use,
by the `go` on PATH into the tutor's cache folder (tutor.experiments.clients.built). It reads
the batch as JSON on stdin, sends PARALLEL requests at a time, and prints what the client said
of each; what arrived is read from the lab's journal.

The body is a *bytes.Reader, for which http.NewRequest sets GetBody, so the client can send it
again after a 307 or 308; a streamed body is a reader it cannot rewind (no GetBody), and then
the client hands the 307 or 308 back instead of following it (net/http's redirectBehavior).
The lab's CA comes the way a Go program on Linux is given one: SSL_CERT_FILE.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path

from tutor.experiments.clients.base import Attempt, Cancel, Client, Request, batch_ca
from tutor.experiments.clients.built import built, cache_folder
from tutor.experiments.clients.program import PARALLEL, ProgramClient, run_batch

__all__ = ["CLIENT", "SOURCE"]

SOURCE = Path(__file__).parent / "programs" / "redirect_client.go"


class Go(ProgramClient):
    name = "go"
    label = "Go net/http"
    program = "go"
    version_argv = ("version",)
    version_word = 2
    install_hint = "apt-get install golang-go"

    def version(self) -> str | None:
        said = super().version()
        return None if said is None else said.removeprefix("go")

    def prepare(self) -> None:
        """The version, and the program built if it is not yet (while the lab starts)."""
        if self.version() is not None:
            self._built()

    def _built(self) -> Path | str:
        """The built program, building it first if needed; or why it could not be built."""
        cache = cache_folder()
        env = {
            "GOCACHE": str(cache / "go-build"),
            "GOPATH": str(cache / "gopath"),
            "GOTOOLCHAIN": "local",  # never download another Go
            "CGO_ENABLED": "0",
        }
        folder = built(
            "Go",
            SOURCE,
            self.version() or "",
            lambda out: ["go", "build", "-o", f"{out}/client", str(SOURCE)],
            env,
        )
        return folder if isinstance(folder, str) else folder / "client"

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        binary = self._built()
        if isinstance(binary, str):
            return [Attempt(binary)] * len(work)
        plan = [
            {
                "method": r.method,
                "url": r.url,
                "headers": r.headers,
                "body": base64.b64encode(r.body).decode(),
                "stream": r.stream,
            }
            for _, r in work
        ]
        ca = batch_ca(work)
        return run_batch(
            "the Go client",
            [str(binary), f"{timeout:g}", str(PARALLEL)],
            json.dumps(plan).encode(),
            len(work),
            timeout=timeout,
            cancel=cancel,
            env={"SSL_CERT_FILE": ca} if ca else None,
        )


CLIENT = Go()
