"""Markdown text → one element tree that the DOCX and HTML writers walk.

Python-Markdown parses the note; a last Treeprocessor hands us its tree (the
Pandoc/Sphinx idea: one document model, many writers). Raw-HTML and entity
placeholders are resolved here so writers only ever see plain text.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

EXTENSIONS = ["footnotes", "tables", "attr_list", "md_in_html", "sane_lists"]
_TAG = re.compile(r"\s*<[^>]*>\s*$")


class _Capture(Treeprocessor):
    """Runs last: keeps the finished tree and gives Markdown an empty one to serialise."""

    tree: etree.Element | None = None

    def run(self, root: etree.Element) -> etree.Element:
        self.tree = root
        return etree.Element("div")


def parse(text: str) -> etree.Element:
    """The element tree of ``text``: headings, paragraphs, lists, tables, footnotes."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    capture = _Capture(md)
    md.treeprocessors.register(capture, "briefgen-capture", -100)
    md.convert(text)
    assert capture.tree is not None
    _unstash(capture.tree, md)
    return capture.tree


def _unstash(root: etree.Element, md: markdown.Markdown) -> None:
    """Entities become characters; raw HTML tags (not markup we build on) are dropped."""
    def restore(match: re.Match[str]) -> str:
        raw = md.htmlStash.rawHtmlBlocks[int(match.group(1))]
        raw = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
        return "" if _TAG.match(raw) else html.unescape(raw)

    def clean(text: str | None) -> str | None:
        if not text or "\x02" not in text:
            return text
        return HTML_PLACEHOLDER_RE.sub(restore, text.replace(NBSP_PLACEHOLDER, ""))

    for element in root.iter():
        element.text, element.tail = clean(element.text), clean(element.tail)
