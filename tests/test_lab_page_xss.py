"""Issue 12, point 6: the lab's browser pages attacked in real headless Chromium.

A page's plan comes in its URL's fragment, which anyone can write: a link one student sends
another can carry any plan. Each attack asserts the defence (the page refuses, or its
Content-Security-Policy blocks), that nothing ran (the lab never saw the payload's request to
/echo/pwned, the title and `window.pwned` are untouched, no request tried to leave the lab) and
what the page itself said; the honest plans, across origins too, still work afterwards.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route, sync_playwright
from test_web_browser import CHROMIUM, FLAGS

from tutor.experiments.clients.base import Request
from tutor.experiments.clients.browser import page_plan
from tutor.lab.journal import Hop
from tutor.lab.server import LabServer

TITLES = {
    "/client/browser": "redirect-tutor lab: browser client",
    "/page/fragment": "redirect-tutor lab: where did the fragment go?",
}

WATCH = """
// Installed through DevTools before the page's own script, where no CSP reaches: every
// violation the browser reports in this frame goes to the test (Attack.violations).
document.addEventListener("securitypolicyviolation", (e) => {
  reportViolation(`${e.effectiveDirective} ${e.blockedURI}`);
});
"""

SETTLE = 0.3
"""Seconds a payload gets to run once the page has reported: a `javascript:` navigation or an
inline handler runs within a task or two, and its fetch() reaches the loopback lab in
milliseconds."""

REFUSED = "the page refused the plan: "


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _form(action: object, fields: object = ()) -> dict[str, object]:
    """A form entry as an attacker writes it: `action` and `fields` of any JSON type."""
    return {"mode": "form", "method": "POST", "action": action, "fields": fields}


def _fetch(url: object) -> dict[str, object]:
    """A fetch() entry as the tutor's client plans it, with the `url` an attacker chose."""
    return {**page_plan("fetch", Request("GET", "/")), "url": url}


def _fragment(plan: object) -> str:
    return quote(json.dumps(plan), safe="")


@dataclass
class Attack:
    """A browser context on `lab`, and the lab's journal from the moment it began."""

    lab: LabServer
    context: BrowserContext
    since: int
    left: list[str] = field(default_factory=list)
    """Requests that tried to leave the lab's two origins (aborted before they left)."""
    violations: list[str] = field(default_factory=list)
    """What the CSP blocked, in any frame: "directive blocked-URI", in the order reported."""

    @property
    def payload(self) -> str:
        """JavaScript whose every effect the traps look for; its fetch() comes first, as an
        opaque frame (data:) may reach nothing else."""
        return f"fetch('{self.lab.url}/echo/pwned');top.document.title='pwned';top.pwned=1"

    def hops(self) -> list[Hop]:
        return [hop for hop in self.lab.journal.recent(10_000) if hop.seq > self.since]

    def hop(self, page: Page, found: Callable[[Hop], bool], timeout: float = 5.0) -> Hop:
        """The first hop since the attack began that `found` accepts, once it has arrived.
        Waits in `page`: the browser's requests pass `only_the_lab` only while Playwright runs."""
        deadline = time.monotonic() + timeout
        while not (hops := [hop for hop in self.hops() if found(hop)]):
            assert time.monotonic() < deadline, "the lab never saw the request"
            page.wait_for_timeout(20)
        return hops[0]

    def open(self, path: str) -> Page:
        page = self.context.new_page()
        page.goto(f"{self.lab.url}{path}")
        return page

    def run(self, plan: object) -> tuple[Page, list[object]]:
        """The browser page with `plan` (or, a str, the raw fragment), and what it reported."""
        raw = plan if isinstance(plan, str) else _fragment(plan)
        page = self.open(f"/client/browser#{raw}")
        return page, _reported(page)

    def ran(self, page: Page) -> list[str]:
        """What a payload did, if one ran on `page` (empty when nothing did)."""
        page.wait_for_timeout(SETTLE * 1000)
        evidence = [
            f"the lab saw {hop.method} {hop.path}"
            for hop in self.hops()
            if hop.route.startswith("/echo/pwned")
        ]
        title = page.title()
        if title != TITLES.get(urlsplit(page.url).path):
            evidence.append(f"the title became {title!r} at {page.url}")
        evidence += [
            f"window.pwned is set in {frame.url}"
            for frame in page.frames
            if frame.evaluate("typeof window.pwned") != "undefined"
        ]
        return evidence + [f"a request tried to leave the lab: {url}" for url in self.left]


def _reported(page: Page | Frame, timeout: float = 3.0) -> list[object]:
    """The #result of a browser page once its plan has run. Polled from here: Playwright's
    wait_for_function builds its predicate with eval, which the page's CSP forbids."""
    deadline = time.monotonic() + timeout
    while (text := page.text_content("#result")) == "running":
        assert time.monotonic() < deadline, "the page never reported: #result still says running"
        page.wait_for_timeout(20)
    reported: list[object] = json.loads(text or "")
    return reported


def _errors(reported: list[object]) -> list[str | None]:
    """What the page said went wrong with each request of its plan; None for one it sent."""
    return [entry.get("error") if isinstance(entry, dict) else "no report" for entry in reported]


def _refused(error: str | None, why: str = "") -> bool:
    """Whether the page refused a request (for the reason `why`, when given)."""
    return error is not None and error.startswith(REFUSED) and why in error


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """The system's Chromium, headless, for the whole module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def _attacking(chromium: Browser, lab: LabServer) -> Iterator[Attack]:
    """A fresh context on `lab`: every request that would leave its two origins is aborted."""
    origins = {_origin(lab.url), _origin(lab.other_url)}
    context = chromium.new_context()
    last = lab.journal.recent(1)
    attack = Attack(lab, context, last[-1].seq if last else 0)

    def only_the_lab(route: Route) -> None:
        if _origin(route.request.url) in origins:
            route.continue_()
        else:
            attack.left.append(route.request.url)
            route.abort()

    try:
        context.expose_binding("reportViolation", lambda _, text: attack.violations.append(text))
        context.add_init_script(WATCH)
        context.route("**/*", only_the_lab)
        yield attack
    finally:
        context.close()


@pytest.fixture
def attack(chromium: Browser, lab: LabServer) -> Iterator[Attack]:
    with _attacking(chromium, lab) as attack:
        yield attack


def test_the_traps_see_a_payload_that_runs(attack: Attack) -> None:
    """The control: run through DevTools (which no CSP governs), the payload is seen at once."""
    page, _ = attack.run([])
    page.evaluate(f"() => {{ {attack.payload} }}")
    evidence = attack.ran(page)
    assert any("/echo/pwned" in line for line in evidence), evidence
    assert any("the title became 'pwned'" in line for line in evidence), evidence


OFF_THE_ORIGIN = "is not on this lab's origin"


def _hostile_targets(attack: Attack) -> list[object]:
    script = attack.payload
    port = urlsplit(attack.lab.url).port
    return [
        f"javascript:{script}",
        f"JaVaScRiPt:{script}",
        f"  \t javascript:{script}",
        f"java\tscript:{script}",
        f"java\nscript:{script}",
        f"\x00javascript:{script}",
        [f"javascript:{script}"],  # not a string: String() makes it one
        f"data:text/html,<script>{script}</script>",
        "about:srcdoc",
        "http://evil.example/echo/pwned",
        "//evil.example/echo/pwned",
        "\\\\evil.example/echo/pwned",
        f"http://127.0.0.1:{port}@evil.example/echo/pwned",
        f"http://localhost:{port}/echo/pwned",
        f"{attack.lab.other_url}/echo/pwned",  # a redirect may go there; a first request may not
    ]


ENTRIES = pytest.mark.parametrize("entry", [_form, _fetch], ids=["form action", "fetch url"])


@ENTRIES
def test_a_target_off_the_page_s_origin_is_refused(
    attack: Attack, entry: Callable[[object], dict[str, object]]
) -> None:
    targets = _hostile_targets(attack)
    page, reported = attack.run([entry(target) for target in targets])
    for target, error in zip(targets, _errors(reported), strict=True):
        assert _refused(error, OFF_THE_ORIGIN), (target, error)
    assert attack.ran(page) == []
    assert attack.violations == [], "the page refused them itself, before its CSP had to"


@ENTRIES
def test_a_url_of_another_scheme_with_the_lab_s_origin_is_refused(
    attack: Attack, entry: Callable[[object], dict[str, object]]
) -> None:
    """blob: and filesystem: URLs have their inner URL's origin: only http(s) may pass."""
    targets = [f"blob:{attack.lab.url}/pwned", f"filesystem:{attack.lab.url}/temporary/pwned"]
    page, reported = attack.run([entry(target) for target in targets])
    assert attack.ran(page) == []
    assert all(_refused(error) for error in _errors(reported)), reported


def _followed(kind: str) -> dict[str, object]:
    """What the page reports of a fetch() that followed a redirect to a 200 (of `kind`)."""
    return {
        "error": None,
        "reported": {"status": 200, "type": kind, "redirected": True, "location": None},
    }


def test_only_the_own_origin_is_a_first_target_but_a_redirect_reaches_the_other(
    attack: Attack,
) -> None:
    other = attack.lab.other_url
    to_fetch, to_form = (
        "/redirect/307?origin=other&to=/echo/x",
        "/redirect/303?origin=other&to=/echo/y",
    )
    page, reported = attack.run(
        [
            page_plan("fetch", Request("POST", f"{other}/echo/pwned", b"a=1")),
            page_plan("form", Request("POST", f"{other}/echo/pwned", b"a=1")),
            page_plan("fetch", Request("POST", to_fetch, b"a=1")),
            page_plan("form", Request("POST", to_form, b"a=1")),
        ]
    )
    first_fetch, first_form, _, sent = _errors(reported)
    assert _refused(first_fetch, OFF_THE_ORIGIN) and _refused(first_form, OFF_THE_ORIGIN)
    assert (reported[2], sent) == (_followed("cors"), None)
    at_other = urlsplit(other).netloc
    fetched = attack.hop(page, lambda hop: hop.route == "/echo/x")
    posted = attack.hop(page, lambda hop: hop.route == "/echo/y")
    assert (fetched.method, fetched.header("host"), fetched.body) == ("POST", at_other, b"a=1")
    assert (posted.method, posted.header("host")) == ("GET", at_other)
    assert attack.ran(page) == []


def test_an_ipv6_lab_s_policy_still_lets_a_redirect_reach_its_other_origin(
    chromium: Browser,
) -> None:
    """CSP's host-source grammar has no IPv6 literal: Chromium ignores `http://[::1]:PORT`."""
    with LabServer(host="::1") as lab, _attacking(chromium, lab) as attack:
        page, reported = attack.run(
            [
                page_plan("fetch", Request("POST", "/redirect/307?origin=other&to=/echo/x")),
                page_plan("form", Request("POST", "/redirect/303?origin=other&to=/echo/y")),
            ]
        )
        assert reported[0] == _followed("cors"), attack.violations
        at_other = urlsplit(lab.other_url).netloc
        assert attack.hop(page, lambda hop: hop.route == "/echo/y").header("host") == at_other


@pytest.mark.parametrize(
    "fragment",
    [
        "not%20json",
        "%E0%A4%A",  # not even a valid percent-encoding
        "",
        _fragment(_form("/echo/pwned")),
        _fragment("javascript:fetch('/echo/pwned')"),
        _fragment([None]),
    ],
    ids=["not JSON", "bad escape", "empty", "an object", "a string", "a null request"],
)
def test_a_plan_that_is_not_a_list_of_requests_is_refused(attack: Attack, fragment: str) -> None:
    page, reported = attack.run(fragment)
    (error,) = _errors(reported)
    assert _refused(error), reported
    assert attack.ran(page) == []
    assert [hop.route for hop in attack.hops()] == ["/client/browser"], "the page sent nothing"


def test_form_fields_are_sent_as_text_never_read_as_markup(attack: Attack) -> None:
    markup = f"<img src=x onerror={attack.payload}>"
    fields = [(markup, f"<script>{attack.payload}</script>"), ("action", "javascript:1")]
    page, reported = attack.run(
        [
            _form("/echo/fields", fields),
            _form("/echo/pwned", [("submit", "x")]),  # an input named submit hides form.submit
            _form("/echo/markup", markup),  # not a list of pairs
        ]
    )
    sent, clobbered, _ = _errors(reported)
    assert (sent, clobbered) == (None, f"{REFUSED}form.submit is not a function")
    arrived = attack.hop(page, lambda hop: hop.route == "/echo/fields")
    assert arrived.body.decode() == urlencode(fields), "sent to its action, the fields as text"
    assert attack.ran(page) == []


def test_a_plan_gains_nothing_by_framing_the_lab_s_own_pages(attack: Attack) -> None:
    """A form may load /client/browser in its frame, directly or through a meta refresh, with
    a plan of its own: that plan meets the same page and the same policy."""
    nested = json.dumps([_form(f"javascript:{attack.payload}")])
    page, _ = attack.run(
        [
            _form(f"/client/browser#{quote(nested, safe='')}"),
            _form(f"/page/meta-refresh?{urlencode({'to': f'/client/browser#{nested}'})}"),
        ]
    )
    deadline = time.monotonic() + 5
    while (
        len(framed := [f for f in page.frames[1:] if urlsplit(f.url).path == "/client/browser"]) < 2
    ):
        assert time.monotonic() < deadline, [frame.url for frame in page.frames]
        page.wait_for_timeout(20)
    for frame in framed:
        (error,) = _errors(_reported(frame))
        assert _refused(error, OFF_THE_ORIGIN), error
    assert attack.ran(page) == []


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("", "<img src=x onerror={payload}>"),
        ("?chain=<script>{payload}</script>", "</p><script>{payload}</script>"),
        (
            "?chain=%22%3E%3Csvg%2Fonload%3D{payload}%3E",
            "%3Cimg%20src%3Dx%20onerror%3D{payload}%3E",
        ),
    ],
    ids=["fragment", "chain and fragment", "pre-encoded"],
)
def test_the_fragment_page_shows_markup_as_text(attack: Attack, query: str, fragment: str) -> None:
    query, fragment = (part.format(payload=attack.payload) for part in (query, fragment))
    page = attack.open(f"/page/fragment{query}#{fragment}")
    told = parse_qs(attack.hop(page, lambda hop: hop.route == "/echo/fragment").query)
    seen = page.evaluate("location.hash")
    assert page.text_content("#hash") == seen == told["fragment"][0]
    assert told.get("chain") == parse_qs(query[1:]).get("chain")
    assert page.evaluate("document.querySelectorAll('img, svg, iframe').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    assert attack.ran(page) == []


PAGES = pytest.mark.parametrize("path", ["/client/browser#[]", "/page/fragment#x"])
SHOWN = {"/client/browser": ("#result", "[]"), "/page/fragment": ("#hash", "#x")}


@PAGES
def test_both_pages_on_both_origins_allow_only_their_own_script(attack: Attack, path: str) -> None:
    lab = attack.lab
    for here, there in ((lab.url, lab.other_url), (lab.other_url, lab.url)):
        page = attack.context.new_page()
        response = page.goto(f"{here}{path}")
        header = response.headers.get("content-security-policy", "") if response else ""
        assert "unsafe" not in header and "*" not in header, header
        directives = {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}
        (script,) = directives.pop("script-src")
        assert script.startswith("'sha256-")
        others = ["'self'", there, lab.secure_url]  # the lab's other listeners, and no more
        assert directives == {
            "default-src": ["'none'"],
            "connect-src": others,
            "form-action": others,
            "frame-src": others,
            "base-uri": ["'none'"],
        }
        selector, text = SHOWN[urlsplit(page.url).path]
        assert page.text_content(selector) == text, "its own script ran, allowed by its hash"
        page.close()


INJECTIONS = {
    "an inline <script>": (
        "p => { const s = document.createElement('script'); s.textContent = p; "
        "document.body.append(s); }",
        "script-src-elem inline",
    ),
    "an inline handler": (
        "p => document.body.insertAdjacentHTML('beforeend', `<img src=x onerror=${p}>`)",
        "script-src-attr inline",
    ),
    "a script from the lab itself": (
        "p => { const s = document.createElement('script'); s.src = '/echo/pwned'; "
        "document.body.append(s); }",
        "script-src-elem {lab}/echo/pwned",
    ),
    "a srcdoc frame": (
        "p => { const f = document.createElement('iframe'); "
        "f.srcdoc = `<script>${p}</script>`; document.body.append(f); }",
        "script-src-elem inline",
    ),
    "a javascript: navigation": (
        "p => { location.href = `javascript:${p}`; }",
        "script-src-elem inline",
    ),
    "a string timer": ("p => { setTimeout(p, 0); }", "script-src eval"),
    "a <base> elsewhere": (
        "() => document.head.insertAdjacentHTML('beforeend', "
        "'<base href=\"http://evil.example/\">')",
        "base-uri http://evil.example/",
    ),
}
"""Markup or script a hole in a page could inject (made here through DevTools), and the
violation the page's CSP reports when it blocks it."""


@PAGES
def test_injected_script_is_blocked_by_the_policy(attack: Attack, path: str) -> None:
    page = attack.open(path)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    for name, (inject, violation) in INJECTIONS.items():
        before = len(attack.violations)
        page.evaluate(inject, attack.payload)
        expected = violation.format(lab=attack.lab.url)
        deadline = time.monotonic() + 5
        while expected not in attack.violations[before:]:
            assert time.monotonic() < deadline, (name, attack.violations[before:])
            page.wait_for_timeout(20)
    assert attack.ran(page) == []
    assert sum("Content Security Policy" in text for text in console) >= len(INJECTIONS)


def test_honest_plans_still_work_after_the_attacks(attack: Attack) -> None:
    page, reported = attack.run(
        [
            page_plan("fetch", Request("POST", "/redirect/307?to=/echo/fetched", b"a=1")),
            page_plan("form", Request("POST", "/redirect/303?to=/echo/posted", b"a=1")),
        ]
    )
    assert reported == [_followed("basic"), {"error": None, "reported": None}]

    def chain_to(route: str) -> list[tuple[str, str, int, bytes]]:
        arrived = attack.hop(page, lambda hop: hop.route == route)
        chain = attack.lab.journal.chain(arrived.chain)
        return [(hop.method, hop.route, hop.status, hop.body) for hop in chain]

    assert chain_to("/echo/fetched") == [
        ("POST", "/redirect/307", 307, b"a=1"),
        ("POST", "/echo/fetched", 200, b"a=1"),
    ]
    assert chain_to("/echo/posted") == [
        ("POST", "/redirect/303", 303, b"a=1"),
        ("GET", "/echo/posted", 200, b""),
    ]
    assert attack.ran(page) == []
