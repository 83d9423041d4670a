"""Open built notes the way a reader would: the DOCX's XML parts and the HTML's text."""
from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def docx_part(path: Path, name: str = "word/document.xml") -> ElementTree.Element:
    with zipfile.ZipFile(path) as package:
        return ElementTree.fromstring(package.read(name))


def docx_parts(path: Path, prefix: str) -> list[ElementTree.Element]:
    with zipfile.ZipFile(path) as package:
        return [ElementTree.fromstring(package.read(n)) for n in sorted(package.namelist())
                if n.startswith(prefix) and n.endswith(".xml")]


def paragraph_text(p: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph, table cells included, in order."""
    found = []
    for p in docx_part(path).iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        found.append((style.get(f"{W}val") if style is not None else "", paragraph_text(p)))
    return found


def headings(path: Path) -> list[str]:
    return [text for style, text in paragraphs(path) if style.startswith("Heading")]


def styled(path: Path, style: str) -> list[str]:
    return [text for s, text in paragraphs(path) if s == style]


def tables(path: Path) -> list[list[list[str]]]:
    """Each table as rows of cell texts."""
    return [[["\n".join(paragraph_text(p) for p in tc.iter(f"{W}p")) for tc in tr.iter(f"{W}tc")]
             for tr in tbl.iter(f"{W}tr")] for tbl in docx_part(path).iter(f"{W}tbl")]


def docx_text(path: Path) -> str:
    """Every word of the document: body, headers, footers and footnotes."""
    roots = [docx_part(path), *docx_parts(path, "word/header"), *docx_parts(path, "word/footer"),
             *docx_parts(path, "word/footnotes")]
    return "\n".join(paragraph_text(p) for root in roots for p in root.iter(f"{W}p"))


class Page(HTMLParser):
    """An HTML page read back: its tags (with attributes), its text, and whether it nests."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.parts: list[str] = []
        self.skip = 0
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self.skip += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self.skip -= 1
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\n]+", " ", "".join(self.parts))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag
                and all(k in a and v in (a[k] or "").split() for k, v in attrs.items())]


def html_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def contrast_on_white(hex_colour: str) -> float:
    """WCAG 2.1 contrast ratio of an RRGGBB text colour against a white page."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i:i + 2], 16)) for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def style_colours(styles: ElementTree.Element) -> dict[str, str]:
    """Style name → the text colour it sets (RRGGBB; ``auto`` is left out)."""
    found = {}
    for style in styles.iter(f"{W}style"):
        colour = style.find(f"{W}rPr/{W}color")
        if colour is not None and colour.get(f"{W}val", "auto") != "auto":
            found[style.find(f"{W}name").get(f"{W}val")] = colour.get(f"{W}val")
    return found
