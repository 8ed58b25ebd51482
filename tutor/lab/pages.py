"""The HTML pages the lab serves to browsers: they send requests, and the journal sees them arrive.

A page reads its plan (JSON) from the URL's fragment, which never reaches any server, so the
pages are static: the lab keeps no state for them. The browser need not report anything; what
it shows in `#result` is only what the browser itself said (the Response fetch() gave the
script, or the rejection).

The fragment is anyone's to write: a link from a student can put any plan in it. So a page sends
requests only to its own origin, by URL and by form action (never `javascript:`), and every page
comes with a Content-Security-Policy (`policy`) that lets only its own script run and lets
requests, forms and frames reach only the lab's own origins, redirects included. The one fetch
off its origin is a request's `hsts`: the lab's /hsts route beside the page, on the page's own
host, over http or https (so that the browser may note the host, RFC 6797 §8.1), before the
request is sent.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

__all__ = ["BROWSER_PAGE", "FRAGMENT_PAGE", "policy"]

BROWSER_PAGE = """\
<!doctype html>
<meta charset="utf-8">
<title>redirect-tutor lab: browser client</title>
<pre id="result">running</pre>
<script>
"use strict";
const result = document.getElementById("result");
function own(url) {
  const parsed = new URL(String(url), location.href);
  // The origin alone is not enough: a blob: or filesystem: URL takes the origin inside it.
  if (typeof url !== "string" || parsed.protocol !== location.protocol
      || parsed.origin !== location.origin) {
    throw new Error(`${JSON.stringify(url)} is not on this lab's origin, ${location.origin}`);
  }
  return parsed.href;
}
function sts(url) {
  // The lab's /hsts beside this page, on the page's own host, by http or by https: on any
  // port, as the lab's TLS listener has one of its own; the policy reaches only the lab's.
  const parsed = new URL(String(url), location.href);
  const beside = new URL("../hsts", location.href);
  if (typeof url !== "string" || !["http:", "https:"].includes(parsed.protocol)
      || parsed.hostname !== location.hostname || parsed.pathname !== beside.pathname
      || parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new Error(`${JSON.stringify(url)} is not this lab's HSTS route`);
  }
  return parsed.href;
}
async function noted(r) {
  try {
    const response = await fetch(sts(r.hsts));
    await response.arrayBuffer();
    return null;
  } catch (e) {
    return { error: `the page could not fetch the HSTS route first: ${e.name}: ${e.message}`,
             reported: null };
  }
}
function bytes(base64) {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
function reported(response) {
  return {
    status: response.status,
    type: response.type,
    redirected: response.redirected,
    location: response.headers.get("location"),
  };
}
async function byFetch(r) {
  const url = own(r.url);
  const init = { method: r.method, headers: r.headers, redirect: r.redirect };
  if (r.method !== "GET" && r.method !== "HEAD") {
    const body = bytes(r.body);
    if (r.stream) {
      init.body = new ReadableStream({ start(c) { c.enqueue(body); c.close(); } });
      init.duplex = "half";
    } else if (body.length) {
      init.body = body;
    }
  }
  try {
    const response = await fetch(url, init);
    await response.arrayBuffer();
    return { error: null, reported: reported(response) };
  } catch (e) {
    return { error: `fetch() rejected with ${e.name}: ${e.message}`, reported: null };
  }
}
function byForm(r, index) {
  const frame = document.createElement("iframe");
  frame.name = `frame${index}`;
  document.body.append(frame);
  const form = document.createElement("form");
  form.method = r.method;
  form.action = own(r.action);
  form.target = frame.name;
  for (const [name, value] of r.fields) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  return { error: null, reported: null };
}
function refused(e) {
  return { error: `the page refused the plan: ${e.message}`, reported: null };
}
(async () => {
  let plan;
  try {
    plan = JSON.parse(decodeURIComponent(location.hash.slice(1)));
    if (!Array.isArray(plan) || !plan.every((r) => typeof r === "object" && r !== null)) {
      throw new Error("the plan is not a list of requests");
    }
  } catch (e) {
    result.textContent = JSON.stringify([refused(e)]);
    return;
  }
  const done = [];
  // A request's HSTS header first, so that the browser may note the host before anything is
  // sent; a request whose header could not be fetched is not sent.
  for (const [index, r] of plan.entries()) {
    if (r.hsts) done[index] = await noted(r);
  }
  // Forms first (their navigations run on in their frames), then each fetch() after the one
  // before: a repeated request may then find the first one's redirect in the cache.
  plan.forEach((r, index) => {
    if (r.mode !== "form" || done[index]) return;
    try { done[index] = byForm(r, index); } catch (e) { done[index] = refused(e); }
  });
  for (const [index, r] of plan.entries()) {
    if (r.mode !== "fetch" || done[index]) continue;
    try { done[index] = await byFetch(r); } catch (e) { done[index] = refused(e); }
  }
  result.textContent = JSON.stringify(done);
})();
</script>
"""
"""Sends each planned request by fetch() or by submitting a real HTML form into an iframe."""

FRAGMENT_PAGE = """\
<!doctype html>
<meta charset="utf-8">
<title>redirect-tutor lab: where did the fragment go?</title>
<p id="hash"></p>
<script>
"use strict";
const seen = location.hash;
document.getElementById("hash").textContent = seen || "(no fragment)";
const chain = new URLSearchParams(location.search).get("chain") || "";
// Relative: a student's /s/NAME/page/fragment reports to /s/NAME/echo/fragment, in their chain.
fetch(`../echo/fragment?chain=${encodeURIComponent(chain)}&fragment=${encodeURIComponent(seen)}`);
</script>
"""
"""The target of the fragment experiment: it tells the lab which fragment the browser kept."""


def _script_hashes(page: str) -> str:
    """CSP sources that allow exactly the page's own inline scripts (CSP3 §8.4, hash-source)."""
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )


def _source(origin: str) -> str:
    """An origin as a CSP host-source. The grammar has no IPv6 literal (a source such as
    http://[::1]:8308 is ignored), so an IPv6 origin is named by its scheme and port alone."""
    scheme, _, rest = origin.partition("://")
    if rest.startswith("["):
        return f"{scheme}://*:{rest.rpartition(':')[2]}"
    return origin


def policy(page: str, origins: Iterable[str]) -> str:
    """The Content-Security-Policy of `page`, served from one of the lab's `origins`: its own
    script and nothing injected (no other inline script, no handler, no `javascript:` URL), and
    requests, form submissions and frames only to the lab's own origins. Browsers check each
    redirect against these too (CSP3 §4.1.2), so a redirect to `?origin=other` still runs."""
    own = " ".join(["'self'", *map(_source, origins)])
    return (
        f"default-src 'none'; script-src {_script_hashes(page)}; connect-src {own}; "
        f"form-action {own}; frame-src {own}; base-uri 'none'"
    )
