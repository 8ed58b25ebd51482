"""Node's built-in fetch (undici), one `node` process for a whole batch of requests.

The script reads the requests as JSON on stdin, sends them PARALLEL at a time (each holds a
connection or two to the lab, which counts them per address), and prints what fetch said for
each; what arrived is read from the lab's journal, as for every client. Node trusts the lab's
CA through NODE_EXTRA_CA_CERTS, read once as it starts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

from tutor.experiments.clients.base import (
    REDIRECT_MODES,
    Attempt,
    Cancel,
    Client,
    Request,
    batch_ca,
)
from tutor.experiments.clients.program import PARALLEL, ProgramClient, run_batch

__all__ = ["CLIENT"]

_SCRIPT = r"""
const requests = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const timeout = Number(process.argv[1]) * 1000;
const atOnce = Number(process.argv[2]);
function bodyOf(r) {
  // A GET or HEAD with a body is passed on as asked: fetch() itself rejects it.
  // A string, as scripts send it; bytes only when the body is not UTF-8. (Node 20's fetch cannot
  // replay a Uint8Array body on 307/308: it detaches the buffer on the first send.)
  const bytes = Buffer.from(r.body, 'base64');
  if (!r.stream) return bytes.length ? { body: r.text ?? new Uint8Array(bytes) } : {};
  const stream = new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } });
  return { body: stream, duplex: 'half' };
}
async function one(r) {
  try {
    const response = await fetch(r.url, {
      method: r.method, headers: r.headers, ...bodyOf(r), redirect: r.redirect,
      signal: AbortSignal.timeout(timeout),
    });
    await response.arrayBuffer();
    const reported = {
      status: response.status, type: response.type, redirected: response.redirected,
      location: response.headers.get('location'),
    };
    return { error: null, reported };
  } catch (e) {
    const cause = e.cause && e.cause.message ? `: ${e.cause.message}` : '';
    return { error: `fetch rejected with ${e.name}: ${e.message}${cause}`, reported: null };
  }
}
const done = new Array(requests.length);
let next = 0;
async function lane() {
  while (next < requests.length) { const i = next++; done[i] = await one(requests[i]); }
}
Promise.all(Array.from({ length: atOnce }, lane))
  .then(() => process.stdout.write(JSON.stringify(done)));
"""


def _text(body: bytes) -> str | None:
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


class Node(ProgramClient):
    name = "node"
    label = "Node fetch()"
    program = "node"
    version_word = 0
    install_hint = "apt-get install nodejs (Node 18 or newer has fetch)"
    redirect_modes = REDIRECT_MODES

    def _cannot_send(self, request: Request) -> str | None:
        if request.method in ("GET", "HEAD") and (request.body or request.stream):
            return f"fetch() refuses a body on a {request.method} (it throws a TypeError)"
        return None

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One node process sends the whole batch, PARALLEL requests at a time."""
        plan = [
            {
                "method": r.method,
                "url": r.url,
                "headers": r.headers,
                "body": base64.b64encode(r.body).decode(),
                "text": _text(r.body),
                "stream": r.stream,
                "redirect": r.redirect,
            }
            for _, r in work
        ]
        ca = batch_ca(work)
        return run_batch(
            "node",
            ["node", "-e", _SCRIPT, f"{timeout:g}", str(PARALLEL)],
            json.dumps(plan).encode(),
            len(work),
            timeout=timeout,
            cancel=cancel,
            env={"NODE_EXTRA_CA_CERTS": ca, "NODE_TLS_REJECT_UNAUTHORIZED": "1"} if ca else None,
        )


CLIENT = Node()
