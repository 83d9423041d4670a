"""Markdown text → one element tree that the DOCX and HTML writers walk.

Python-Markdown parses the note; a last Treeprocessor hands us its tree (the
Pandoc/Sphinx idea: one document model, many writers). Raw-HTML and entity
placeholders are resolved here so writers only ever see plain text: every
``text``, ``tail`` and attribute in the tree is the characters a reader sees,
with no HTML escaping and no Python-Markdown placeholder (``\\x02 … \\x03``).

Lists are read the CommonMark way: a nested list or a further paragraph of an
item is indented to the item's text (two spaces under ``- ``, three under
``1. ``), as Pandoc, GitHub and the ``item`` template filter write them.
Python-Markdown itself wants four spaces, so the text is re-indented first.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from html.parser import HTMLParser

import markdown
from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER
from markdown import inlinepatterns
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, HTML_PLACEHOLDER_RE, STX

from briefgen.note.language import SPAN

EXTENSIONS = ["footnotes", "tables", "attr_list", "md_in_html", "sane_lists"]
MAX_LINK_TEXT = 2_000       # characters of a link's [text]: a '[' closed further off is text
MAX_LINK_NESTING = 20       # brackets inside a link's [text]
BACKLINK = "\u21a9"          # what the footnote back-reference link shows (↩)
TAB = 4                      # Python-Markdown's indent for nested blocks

_BR = re.compile(r"\s*<br\s*/?>\s*$", re.I)
# An entity Python-Markdown wrote with its "&" placeholder (e-mail autolinks).
_AMP_ENTITY = re.compile(re.escape(AMP_SUBSTITUTE) + r"(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# An entity in an attribute (link address, title): only the ";"-terminated
# forms, so that an address such as "?a=1&copy=2" stays as written.
_ATTR_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_STRAY = re.compile(f"{STX}[^{STX}{ETX}]*{ETX}|[{STX}{ETX}]")

_LEAD = re.compile(r"[ \t]*")
_MARKER = re.compile(r"([-*+]|([0-9]{1,9})\.)( +|$)")


class _Capture(Treeprocessor):
    """Runs last: keeps the finished tree and gives Markdown an empty one to serialise."""

    tree: etree.Element | None = None

    def run(self, root: etree.Element) -> etree.Element:
        self.tree = root
        return etree.Element("div")


class _LanguageSpan(InlineProcessor):
    """Pandoc's ``[words]{lang=en}`` → ``<span lang="en">words</span>``."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # noqa: N802
        span = etree.Element("span", lang=m["lang"])
        span.text = m["text"]          # emphasis, links and code inside are still parsed
        return span, m.start(0), m.end(0)


class _BoundedText:
    """Python-Markdown finds the ']' that closes each '[' by scanning on to it: to the
    end of the text for every '[' never closed, which is quadratic time (30 KB of '['
    took 40 s). Here the scan ends after :data:`MAX_LINK_TEXT` characters or
    :data:`MAX_LINK_NESTING` brackets, jumping from ']' to ']' in C, so each '[' costs
    a bounded amount; a '[' not closed within that is plain text."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802
        depth, pos, stop = 1, index, min(len(data), index + MAX_LINK_TEXT)
        for _ in range(MAX_LINK_NESTING):
            close = data.find("]", pos, stop)
            if close < 0:
                break
            depth += data.count("[", pos, close) - 1
            if depth == 0:
                return data[index:close], close + 1, True
            if depth > MAX_LINK_NESTING:
                break
            pos = close + 1
        return "", index, False


# Python-Markdown's link and image processors (name, class, pattern, priority).
_LINKS = [
    ("reference", inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    ("link", inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    ("image_link", inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    ("image_reference", inlinepatterns.ImageReferenceInlineProcessor,
     inlinepatterns.IMAGE_REFERENCE_RE, 140),
    ("short_reference", inlinepatterns.ShortReferenceInlineProcessor,
     inlinepatterns.REFERENCE_RE, 130),
    ("short_image_ref", inlinepatterns.ShortImageReferenceInlineProcessor,
     inlinepatterns.IMAGE_REFERENCE_RE, 125),
]


@lru_cache(maxsize=1)
def _parser() -> tuple[markdown.Markdown, _Capture]:
    """One Markdown instance, reset between notes: building one costs more than a parse."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    # After escapes (180) and footnote marks (175), before references and links (170, 160).
    md.inlinePatterns.register(_LanguageSpan(SPAN, md), "briefgen-lang-span", 172)
    for name, processor, pattern, priority in _LINKS:
        bounded = type(processor.__name__, (_BoundedText, processor), {})
        md.inlinePatterns.register(bounded(pattern, md), name, priority)
    capture = _Capture(md)
    md.treeprocessors.register(capture, "briefgen-capture", -100)
    return md, capture


def parse(text: str) -> etree.Element:
    """The element tree of ``text``: headings, paragraphs, lists, tables, footnotes."""
    md, capture = _parser()
    md.reset()
    md.convert(reindent_lists(text))
    assert capture.tree is not None
    _unstash(capture.tree, md)
    _cell_lists(capture.tree)
    return capture.tree


def plain_text(markdown_text: str | None) -> str:
    """What a line of Markdown reads as: ``**Q&amp;A** \\| costs`` → ``Q&A | costs``."""
    if not markdown_text:
        return ""
    tree = parse(markdown_text)
    for div in tree.iter("div"):      # a footnote in the subject is not part of the title
        for child in [c for c in div if "footnote" in c.get("class", "").split()]:
            div.remove(child)
    for sup in tree.iter("sup"):
        for a in [a for a in sup if "footnote-ref" in a.get("class", "")]:
            a.text = ""
    return " ".join("".join(tree.itertext()).split())


# Lists ------------------------------------------------------------------------

def reindent_lists(text: str) -> str:
    """CommonMark list indentation → Python-Markdown's four spaces a level.

    A line indented at least to an open item's text belongs to that item and
    moves to the item's new text column; a list marker indented under an item
    starts a nested list. A list that follows a paragraph line directly gets
    the blank line Python-Markdown needs before it (CommonMark lets a list
    interrupt a paragraph). Lines outside lists, and anything indented four
    spaces outside a list (code, footnote bodies), stay as they are.
    """
    out: list[str] = []
    stack: list[tuple[int, int]] = []    # open items: (text column in, text column out)
    blank_before = True
    for line in text.split("\n"):
        lead = _LEAD.match(line).group()
        rest = line[len(lead):]
        if not rest:
            out.append("")
            blank_before = True
            continue
        indent = len(lead.expandtabs(TAB))
        marker = _MARKER.match(rest)
        if marker and (stack or indent < TAB):
            in_list = bool(stack)
            while stack and stack[-1][0] > indent:
                stack.pop()
            if not in_list and not blank_before and marker.group(2) in (None, "1"):
                out.append("")             # a list may interrupt a paragraph
            column_out = stack[-1][1] if stack else 0
            spaces = len(marker.group(3))
            width = len(marker.group(1)) + (spaces if 1 <= spaces <= 4 else 1)
            out.append(" " * column_out + rest)
            stack.append((indent + width, column_out + TAB))
        elif stack and (indent >= stack[-1][0] or blank_before):
            while stack and stack[-1][0] > indent:
                stack.pop()                # back out to the item this line is under
            out.append(_shift(rest, indent, stack) if stack else line)
        else:
            out.append(line)               # outside lists, or a lazy continuation line
        blank_before = False
    return "\n".join(out)


def _shift(rest: str, indent: int, stack: list[tuple[int, int]]) -> str:
    """A line inside the innermost open item, moved to that item's new text column."""
    column_in, column_out = stack[-1]
    return " " * (column_out + indent - column_in) + rest


BULLET = "•"


def _cell_lists(root: etree.Element) -> None:
    """A table cell written ``• one<br>• two`` (a pipe table cannot hold a list) becomes one."""
    for cell in root.iter():
        starts = [cell.text] + [child.tail for child in cell if child.tag == "br"]
        if cell.tag not in ("td", "th") or not all((s or "").lstrip().startswith(BULLET)
                                                   for s in starts):
            continue
        listing = etree.Element("ul")
        item = etree.SubElement(listing, "li")
        item.text = cell.text
        for child in list(cell):
            cell.remove(child)
            if child.tag == "br":
                item = etree.SubElement(listing, "li")
                item.text = child.tail
            else:
                item.append(child)
        for item in listing:
            item.text = (item.text or "").lstrip()[len(BULLET):].lstrip()
        cell.text = None
        cell.append(listing)


# Placeholders -----------------------------------------------------------------

class _Text(HTMLParser):
    """The text of a raw HTML fragment: tags, comments, scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _html_text(raw: str) -> str:
    parser = _Text()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts)


def _unstash(root: etree.Element, md: markdown.Markdown) -> None:
    """Entities become characters; raw HTML tags (not markup we build on) are dropped."""
    def raw(index: int) -> str:
        block = md.htmlStash.rawHtmlBlocks[index]
        return block if isinstance(block, str) else etree.tostring(block, encoding="unicode")

    def restore(match: re.Match[str]) -> str:
        return _html_text(raw(int(match.group(1))))

    def clean(text: str | None, code: bool = False) -> str | None:
        if not text:
            return text
        if code:      # code spans and blocks keep Python-Markdown's HTML escaping
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        if STX not in text:
            return text
        text = text.replace(NBSP_PLACEHOLDER, "").replace(FN_BACKLINK_TEXT, BACKLINK)
        text = _AMP_ENTITY.sub(lambda m: html.unescape(f"&{m.group(1)};"), text)
        text = text.replace(AMP_SUBSTITUTE, "&")
        text = HTML_PLACEHOLDER_RE.sub(restore, text)
        return _STRAY.sub("", text)

    def attribute(value: str) -> str:
        value = _AMP_ENTITY.sub(lambda m: html.unescape(f"&{m.group(1)};"), value)
        value = value.replace(AMP_SUBSTITUTE, "&")
        value = _ATTR_ENTITY.sub(lambda m: html.unescape(m.group()), value)
        return _STRAY.sub("", value)

    _line_breaks(root, md)
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        element.text = clean(element.text, code=element.tag == "code")
        element.tail = clean(element.tail)
        for key, value in element.items():
            if value:
                element.set(key, attribute(value))
        if (element.tag == "p" and len(element) == 0 and not (element.text or "").strip()
                and element in parents):
            parents[element].remove(element)    # a paragraph that was only raw HTML


def _line_breaks(root: etree.Element, md: markdown.Markdown) -> None:
    """A raw ``<br>`` tag becomes a ``br`` element, the one tag worth keeping."""
    def is_br(match: re.Match[str]) -> bool:
        block = md.htmlStash.rawHtmlBlocks[int(match.group(1))]
        return isinstance(block, str) and bool(_BR.match(block))

    def split(text: str) -> list[str] | None:
        """Text pieces around each ``<br>`` placeholder, or None if there is none."""
        pieces, start = [], 0
        for match in HTML_PLACEHOLDER_RE.finditer(text):
            if is_br(match):
                pieces.append(text[start:match.start()])
                start = match.end()
        if not pieces:
            return None
        pieces.append(text[start:])
        return pieces

    def breaks(parent: etree.Element, index: int, pieces: list[str]) -> int:
        """Insert a ``br`` carrying each piece after the first at ``index``; the next index."""
        for piece in pieces[1:]:
            br = etree.Element("br")
            br.tail = piece
            parent.insert(index, br)
            index += 1
        return index

    for parent in list(root.iter()):
        if parent.tag in ("code", "pre"):
            continue
        index = 0
        if parent.text and STX in parent.text and (pieces := split(parent.text)):
            parent.text = pieces[0]
            index = breaks(parent, index, pieces)
        while index < len(parent):
            child = parent[index]
            index += 1
            if child.tail and STX in child.tail and (pieces := split(child.tail)):
                child.tail = pieces[0]
                index = breaks(parent, index, pieces)
