"""The HTML pages the lab serves to browsers: they send requests, and the journal sees them arrive.

A page reads its plan (JSON) from the URL's fragment, which never reaches any server, so the
pages are static: the lab keeps no state for them. The browser need not report anything; what
it shows in `#result` is only what the browser itself said (the Response fetch() gave the
script, or the rejection).
"""

from __future__ import annotations

__all__ = ["BROWSER_PAGE", "FRAGMENT_PAGE"]

BROWSER_PAGE = """\
<!doctype html>
<meta charset="utf-8">
<title>redirect-tutor lab: browser client</title>
<pre id="result">running</pre>
<script>
"use strict";
const plan = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const result = document.getElementById("result");
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
    const response = await fetch(r.url, init);
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
  form.action = r.action;
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
(async () => {
  const done = [];
  // Forms first (their navigations run on in their frames), then each fetch() after the one
  // before: a repeated request may then find the first one's redirect in the cache.
  plan.forEach((r, index) => { if (r.mode === "form") done[index] = byForm(r, index); });
  for (const [index, r] of plan.entries()) {
    if (r.mode === "fetch") done[index] = await byFetch(r);
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
fetch(`/echo/fragment?chain=${encodeURIComponent(chain)}&fragment=${encodeURIComponent(seen)}`);
</script>
"""
"""The target of the fragment experiment: it tells the lab which fragment the browser kept."""
