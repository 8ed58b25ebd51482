"""Course Markdown as wrapped plain text, for `redirect-tutor card`, pipes and screen readers.

Only what course texts use: headings, paragraphs, lists, block quotes, fenced code (kept
verbatim, never wrapped, so it can be copied), emphasis (its markers dropped) and autolinks.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["markdown_to_plain"]

_FENCE = re.compile(r"^(```|~~~~?)")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_UNDERLINE = {1: "=", 2: "-"}


def markdown_to_plain(markdown: str, width: int = 80) -> str:
    """`markdown` as plain text at most `width` columns wide (code lines excepted)."""
    width = max(width, 20)
    out: list[str] = []
    paragraph: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if paragraph:
            out.extend(_wrap_block(paragraph, width))
            paragraph.clear()

    for line in markdown.splitlines():
        if fence is not None:
            if line.startswith(fence):
                fence = None
            else:
                out.append(f"    {line}" if line else "")
            continue
        if match := _FENCE.match(line):
            flush()
            fence = match.group(1)
            continue
        if not line.strip():
            flush()
            if out and out[-1] != "":
                out.append("")
            continue
        if heading := re.match(r"^(#{1,6})\s+(.*)$", line):
            flush()
            level, title = len(heading.group(1)), _inline(heading.group(2))
            out.append(title.upper() if level == 1 else title if level == 2 else f"{title}:")
            if level in _UNDERLINE:
                out.append(_UNDERLINE[level] * min(len(title), width))
            continue
        quote = line.startswith(">")
        if quote and not line.lstrip("> "):  # a paragraph break inside the quote
            flush()
            out.append("  |")
            continue
        if _LIST_ITEM.match(line) or quote != bool(paragraph and paragraph[0].startswith(">")):
            flush()
        paragraph.append(line)
    flush()
    return "\n".join(out).strip("\n") + "\n"


def _wrap_block(lines: list[str], width: int) -> list[str]:
    """A paragraph, list item or quote, wrapped; a list item's lines hang under its text."""
    first = lines[0]
    if first.startswith(">"):
        text = " ".join(line.lstrip(">").strip() for line in lines)
        return _wrap(_inline(text), width, "  | ", "  | ")
    if item := _LIST_ITEM.match(first):
        marker = "-" if item.group(2) in "-*+" else item.group(2)
        lead = item.group(1) + marker + " "
        text = " ".join([first[item.end() :], *(line.strip() for line in lines[1:])])
        return _wrap(_inline(text), width, lead, " " * len(lead))
    return _wrap(_inline(" ".join(line.strip() for line in lines)), width, "", "")


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Wrapped at spaces only: a URL or a long word stays whole, to be copied or clicked."""
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _inline(text: str) -> str:
    text = _AUTOLINK.sub(r"\1", text)
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
