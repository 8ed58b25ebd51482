"""`redirect-tutor card CODE`, as a subprocess: the reference card as wrapped plain text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tutor.course.card_text import card_markdown
from tutor.course.loader import load_course
from tutor.course.plain import markdown_to_plain

PACK = Path(__file__).parent / "fixtures" / "content" / "valid"


def card(*args: str, columns: int = 72) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": str(columns)},
    )


def test_a_pack_card_has_titled_sections_quote_snippets_faq_and_sources() -> None:
    done = card("--lessons", str(PACK), "card", "305")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["305 USE PROXY", "============="]
    for title in (
        "In plain English",
        "The common misinterpretation",
        "When to use it",
        "Caching",
        "SEO",
        "Commonly confused with",
        "FAQ",
        "Server snippets",
        "Try it live",
        "Sources",
    ):
        assert lines[lines.index(title) + 1] == "-" * len(title), title
    assert "  | The 305 (Use Proxy) status code was defined in a previous version of" in lines
    assert "  | — RFC 9110 §15.4.6 305 Use Proxy" in lines
    assert "A code from the past; do not use it." in lines  # emphasis markers dropped
    assert "Node.js http:" in lines
    assert '    res.writeHead(305, { Location: "http://proxy.example/" }).end();' in lines
    assert "Does httpx follow a 305?" in lines
    assert "- 307 Temporary Redirect: 307 sends the same request on to the Location;" in lines
    assert "  305 named a proxy." in lines
    assert "- RFC 9110 §15.4.6 305 Use Proxy:" in lines
    assert "  https://www.rfc-editor.org/rfc/rfc9110#section-15.4.6" in lines
    assert all(len(line) <= 72 for line in lines if not line.startswith("    "))


def test_the_built_in_307_card_fits_the_terminal_and_keeps_code_and_links_whole() -> None:
    done = card("card", "307", columns=60)
    assert done.returncode == 0, done.stderr
    course = load_course()
    found = course.card(307)
    assert found is not None
    assert done.stdout == markdown_to_plain(card_markdown(found), 60)
    prose = [line for line in done.stdout.splitlines() if not line.startswith("    ")]
    assert all(len(line) <= 60 or "://" in line for line in prose)
    for citation in found.citations:
        assert citation.url in done.stdout
    for snippet in found.snippets:
        first = snippet.code.splitlines()[0]
        assert f"    {first}".rstrip() in done.stdout.splitlines()


def test_a_code_without_a_card_says_which_codes_have_one() -> None:
    done = card("card", "305")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error: 305 has no card. Cards: ")
    assert "307" in done.stderr


def test_a_code_that_is_not_a_redirect_is_an_error() -> None:
    done = card("card", "404")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("Error: 404 is not a redirect code (300-308). Cards: ")


def test_plain_text_of_lists_quotes_and_code() -> None:
    text = "\n".join(
        [
            "# T",
            "",
            "Some *very* **plain** `code` <https://x.example/a-b>.",
            "",
            "- one two three four five",
            "",
            "```python",
            "x = 'a long line that is never wrapped, ever, whatever the width'",
            "```",
            "",
            "> quoted words",
            "> and more",
            ">",
            "> — a source",
            "after the quote",
        ]
    )
    assert markdown_to_plain(text, 20).splitlines() == [
        "T",
        "=",
        "",
        "Some very plain",
        "`code`",
        "https://x.example/a-b.",
        "",
        "- one two three four",
        "  five",
        "",
        "    x = 'a long line that is never wrapped, ever, whatever the width'",
        "",
        "  | quoted words and",
        "  | more",
        "  |",
        "  | — a source",
        "after the quote",
    ]


def test_every_snippet_framework_has_a_display_name():
    from typing import get_args

    from tutor.course.card_text import FRAMEWORK_NAMES
    from tutor.course.cards import Framework

    assert set(FRAMEWORK_NAMES) == set(get_args(Framework))
