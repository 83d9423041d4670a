"""HTML writer: one standalone page from the same tree, markings, footnotes, no injection."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from outputs import Page, html_page

from briefgen.builder import build, parse_formats
from briefgen.errors import InputError
from briefgen.note.composer import compose
from briefgen.workspace import Workspace
from briefgen.writers import html as html_writer

HOSTILE = """kind: news
title: "<script>alert('title')</script> and <img src=x onerror=alert(1)>"
publisher: "<b onmouseover=alert(2)>Evil</b> Press"
url: 'https://example.org/a?b=1&c="2' 
text: |
  <script>alert("text")</script> <img src=x onerror="alert(3)"> <iframe src=//evil></iframe>
  {{ 7 * 7 }} <a href="javascript:alert(4)">click</a>
quotes:
  - text: <svg onload=alert(5)>
"""


def _built(workspace: Path, name: str = "note") -> tuple[str, Page]:
    build(Workspace(workspace), [name], ["html"])
    path = workspace / "out" / f"{name}.html"
    return path.read_text(encoding="utf-8"), html_page(path)


def test_standalone_html5_page(workspace: Path) -> None:
    text, page = _built(workspace)
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en-CA\">")
    assert not page.problems
    assert page.find("meta", charset="utf-8")
    assert "<title>Border cooperation | test</title>" in text
    assert not page.find("link") and not page.find("script") and not page.find("img")
    assert not [a for _, a in page.tags if "src" in a]      # nothing fetched from elsewhere
    assert "@media print" in text and "@page" in text


def test_marking_banner_top_and_bottom(workspace: Path) -> None:
    text, page = _built(workspace)
    banners = page.find("div", **{"class": "marking"})
    assert len(banners) == 2 and all(b["role"] == "note" for b in banners)
    body = text[text.index("<body>"):]
    assert body.index('class="marking top"') < body.index("<main>") < body.index('class="marking bottom"')
    # Printed, every page carries the marking and "Page X of Y" in its margins.
    assert '@top-center { content: "UNCLASSIFIED"' in text
    assert '"Page " counter(page) " of " counter(pages)' in text


def test_header_block_is_a_table_of_row_headers(workspace: Path) -> None:
    text, page = _built(workspace)
    assert '<div class="memo-header">' in text
    assert "<tr><th scope=\"row\">To:</th><td>The Minister</td></tr>" in text
    assert "<thead>" not in text.split('<div class="memo-header">')[1].split("</div>")[0]


def test_footnotes_are_notes_with_back_links(workspace: Path) -> None:
    text, page = _built(workspace)
    refs = page.find("a", **{"class": "footnote-ref"})
    backs = page.find("a", **{"class": "footnote-backref"})
    notes = [a for a in page.find("li") if (a.get("id") or "").startswith("fn:")]
    assert len(refs) == len(backs) == len(notes) >= 3
    ids = {a["id"] for _, a in page.tags if a.get("id")}
    for ref in refs:
        assert ref["href"][1:] in ids and ref["role"] == "doc-noteref"
    for back in backs:
        assert back["href"][1:] in ids and back["aria-label"] == "Back to text"
    assert page.find("section", **{"class": "footnotes"})[0]["role"] == "doc-endnotes"
    assert "Jump back" not in text


def test_talking_points_keep_their_class(workspace: Path) -> None:
    _, page = _built(workspace)
    assert page.find("div", **{"class": "talking-points"})


def test_record_text_cannot_inject_markup_or_script(workspace: Path) -> None:
    (workspace / "sources/hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    (workspace / "templates").mkdir()
    (workspace / "templates/briefing-note.md.j2").write_text(
        '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}\n'
        "## From the record\n\n{{ records['hostile'].title }}\n\n{{ records['hostile'].text }}\n\n"
        "{{ records['hostile'].quotes[0].text }}\n\n{{ super() }}\n{% endblock %}\n",
        encoding="utf-8")
    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text().replace(
        "considerations: |\n",
        "considerations: |\n  As reported [@hostile].\n  <script>alert('brief')</script>"
        " [link](javascript:alert(6)) [ok](https://example.org/ok)\n\n"
        "  A paragraph.\n  {: onclick=\"alert(7)\" .x\"><script> }\n\n"), encoding="utf-8")
    text, page = _built(workspace)
    assert not page.problems
    assert {tag for tag, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "body", "div", "main", "h1", "h2", "h3", "p",
        "table", "tbody", "thead", "tr", "th", "td", "ul", "ol", "li", "strong", "em", "a", "sup",
        "section", "hr", "br", "code"}
    for tag, attrs in page.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith(("javascript", "data")), attrs
    # The record's words are there, as text.
    assert "<script>alert('title')</script> and <img src=x onerror=alert(1)>" in page.text
    # (English notes print typographic quotes: the record's "text" as “text”.)
    assert "<script>alert(“text”)</script>" in page.text and "{{ 7 * 7 }}" in page.text
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in text \
        or "&lt;script&gt;alert('title')&lt;/script&gt;" in text
    assert "<b onmouseover=alert(2)>Evil</b> Press" in page.text
    assert "<svg onload=alert(5)>" in page.text
    assert page.find("a", href="https://example.org/ok")
    assert "<script" not in text.lower().replace("&lt;script", "")


def test_same_note_same_bytes(workspace: Path) -> None:
    note = compose(Workspace(workspace), workspace / "briefs/note.yaml")
    assert html_writer.write(note) == html_writer.write(note)


def test_format_html_on_the_command_line(workspace: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "html,md"],
                            cwd=workspace, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (workspace / "out").iterdir()) == ["note.html", "note.md"]


def test_format_all_and_unknown_format() -> None:
    assert parse_formats("all") == ["md", "docx", "html", "pdf"]
    assert parse_formats("html, md") == ["html", "md"]
    with pytest.raises(InputError, match="unknown format rtf; choose from md, docx, html, pdf or all"):
        parse_formats("rtf")
