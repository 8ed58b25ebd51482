"""Java's java.net.http.HttpClient with Redirect.NORMAL, one JVM for a whole batch of requests.

The program (programs/RedirectClient.java, shipped with the tutor) is one source file,
compiled once by `javac` into the tutor's cache folder (tutor.experiments.clients.built: a JVM
that compiles the source as it starts, JEP 330, takes half a second more each batch), and run
in one JVM per batch. It reads the batch on stdin, one request a line (tab-separated base64
fields: Java has no JSON in its standard library), sends PARALLEL at a time, and prints what
the client said of each as JSON; what arrived is read from the lab's journal.

Redirect.NORMAL follows every redirect except from https to http. The body is a byte array
(BodyPublishers.ofByteArray), which the client can send again; a streamed body is one
InputStream handed out for every send, so nothing is left of it after a redirect. The lab's CA
comes as a Java program is given one in code: a trust store of that certificate in an
SSLContext.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from tutor.experiments.clients.base import Attempt, Cancel, Client, Request, batch_ca
from tutor.experiments.clients.built import built
from tutor.experiments.clients.program import PARALLEL, ProgramClient, run_batch

__all__ = ["CLIENT", "SOURCE"]

SOURCE = Path(__file__).parent / "programs" / "RedirectClient.java"
_JVM = ("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""A JVM that starts fast for a short run: the first JIT tier only, the simplest collector."""
STARTUP = 15.0
"""Time for the JVM to start and compile the source, on top of the requests' own."""


def _b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def line(request: Request) -> str:
    """`request` as the program reads it: method, URL, body, stream or bytes, header lines."""
    headers = "".join(f"{name}: {value}\n" for name, value in request.headers.items())
    return "\t".join(
        [
            _b64(request.method),
            _b64(request.url),
            _b64(request.body),
            "stream" if request.stream else "bytes",
            _b64(headers),
        ]
    )


class Java(ProgramClient):
    name = "java"
    label = "Java HttpClient"
    program = "java"
    install_hint = "apt-get install default-jdk-headless (Java 11 or newer)"

    def prepare(self) -> None:
        """The version, and the program compiled if it is not yet (while the lab starts)."""
        if self.version() is not None:
            self._built()

    def _built(self) -> Path | str:
        return built(
            "Java", SOURCE, self.version() or "", lambda out: ["javac", "-d", out, str(SOURCE)]
        )

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        classes = self._built()
        if isinstance(classes, str):
            return [Attempt(classes)] * len(work)
        ca = batch_ca(work)
        return run_batch(
            "the Java client",
            [*_JVM, "-cp", str(classes), "RedirectClient", f"{timeout:g}", str(PARALLEL)],
            "\n".join(line(request) for _, request in work).encode(),
            len(work),
            timeout=timeout,
            startup=STARTUP,
            cancel=cancel,
            env={"REDIRECT_TUTOR_CA": ca} if ca else None,
        )


CLIENT = Java()
