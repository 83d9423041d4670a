"""HTML writer: the note's element tree → one standalone HTML5 page that prints like the memo.

It walks the same tree as the DOCX writer (:func:`briefgen.writers.doctree.parse`).
Every text is escaped and only known tags and attributes are written: class
names and ids are reduced to safe characters, a link keeps its address only
when it is http(s), mailto or a footnote anchor. Raw HTML in a record or a
brief never reaches the page (the tree holds its text only), so neither can
a ``<script>`` or an ``onerror=``.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape

from briefgen.note.composer import LANGUAGE_TAGS, Note, language_tag
from briefgen.note.language import LANG_TAG
from briefgen.writers.doctree import parse, plain_text

# Tags written as themselves; any other element is replaced by its content.
BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody",
          "tr", "th", "td", "blockquote", "pre", "hr", "div"}
INLINE = {"strong", "em", "b", "i", "code", "sup", "sub", "u", "small", "br", "a", "span"}
VOID = {"br", "hr"}
# Tables of "Label:" | value rows (memo header, signature lines): row headers, no header row.
LABEL_TABLES = {"memo-header", "signature-lines"}
_TOKEN = re.compile(r"[^A-Za-z0-9_:.-]+")
_ANCHOR = re.compile(r"#[A-Za-z0-9_:.-]+")
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")
_LANG = re.compile(LANG_TAG)

CSS = """
:root { --ink: #000; --accent: #1f3864; --rule: #808080; }
html { background: #e9e9e9; }
body { font: 11pt/1.35 Arial, "Liberation Sans", Helvetica, sans-serif; color: var(--ink);
       background: #fff; max-width: 6.5in; margin: 1.5em auto; padding: 0.75in 1in; }
.marking { font-weight: bold; text-align: center; margin: 0 0 1.5em; letter-spacing: 0.02em; }
.marking.bottom { margin: 2em 0 0; }
h1 { font-size: 14pt; text-align: center; margin: 0.5em 0 1em; }
h2 { font-size: 12pt; color: var(--accent); margin: 1.2em 0 0.4em; page-break-after: avoid; }
h3, h4, h5, h6 { font-size: 11pt; margin: 1em 0 0.3em; page-break-after: avoid; }
p { margin: 0 0 0.6em; }
ul, ol { margin: 0 0 0.6em; padding-left: 1.5em; }
li { margin: 0 0 0.3em; }
table { border-collapse: collapse; width: 100%; margin: 0 0 0.8em; }
th, td { border: 1px solid var(--rule); padding: 0.2em 0.4em; vertical-align: top; text-align: left; }
thead th { background: #f2f2f2; }
tr { page-break-inside: avoid; }
.memo-header table { width: auto; }
.memo-header th, .memo-header td { border: 0; padding: 0.1em 1.5em 0.1em 0; }
.memo-header th { white-space: nowrap; }
.signature-lines table { width: auto; }
.signature-lines th, .signature-lines td { border: 0; padding: 1.2em 1em 0.1em 0;
                                          vertical-align: bottom; }
.signature-lines th { white-space: nowrap; }
.signature-lines td { width: 2.2in; border-bottom: 1px solid var(--ink); }
.signature { margin-top: 1.5em; }
.keep-together, .decision { break-inside: avoid; }
td ul { margin: 0; padding-left: 1.2em; }
.key-messages li, .talking-points li { color: var(--accent); }
.decision p { margin: 0 0 0.8em; }
.footnotes { font-size: 9pt; margin-top: 2em; }
.footnotes hr { width: 2in; margin: 0 0 0.5em; border: 0; border-top: 1px solid var(--ink); }
.footnotes p { margin: 0; }
sup { line-height: 0; }
a { color: #0563c1; }
.footnote-ref, .footnote-backref { text-decoration: none; }
pre, code { font-family: "Courier New", monospace; }
@page { size: letter; margin: 1in; }
@media print {
  html { background: none; }
  body { max-width: none; margin: 0; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .footnote-backref { display: none; }
}
"""


def write(note: Note) -> bytes:
    """The note as a standalone HTML5 page (UTF-8), the same bytes for the same note."""
    tree = parse(note.body)
    title = plain_text(note.brief.subject)
    page, _, rest = note.labels["page_x_of_y"].partition("{page}")
    between, _, after = rest.partition("{pages}")
    counter = " ".join(p for p in (_css_string(page), "counter(page)", _css_string(between),
                                   "counter(pages)", _css_string(after)) if p)
    marking = _css_string(note.marking)
    print_css = (f"@page {{ @top-center {{ content: {marking}; font: bold 10pt Arial, sans-serif; }}"
                 f" @bottom-center {{ content: {marking} \"\\A\" {counter}; white-space: pre;"
                 " font: 9pt Arial, sans-serif; } }\n")
    banner = escape(note.marking)
    label = escape(note.labels["marking"])
    body = _Writer(note.labels).blocks(tree)
    html = (
        "<!DOCTYPE html>\n"
        f'<html lang="{LANGUAGE_TAGS[note.lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta name="author" content="{escape(note.author)}">\n'
        '<meta name="generator" content="briefgen">\n'
        f"<style>{CSS}{print_css}</style>\n</head>\n<body>\n"
        f'<div class="marking top" role="note" aria-label="{label}">{banner}</div>\n'
        f"<main>\n{body}</main>\n"
        f'<div class="marking bottom" role="note" aria-label="{label}">{banner}</div>\n'
        "</body>\n</html>\n")
    return html.encode("utf-8")


def _css_string(text: str) -> str:
    """A CSS string literal; every character but letters, digits and spaces as a hex escape."""
    if not text:
        return ""
    return '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):06x}"
                         for c in text) + '"'


def _token(value: str) -> str:
    return _TOKEN.sub("-", value).strip("-")


def _classes(el: etree.Element) -> list[str]:
    return [t for t in (_token(c) for c in el.get("class", "").split()) if t]


class _Writer:
    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def blocks(self, root: etree.Element) -> str:
        out: list[str] = []
        self.children(root, out)
        return "".join(out)

    def children(self, el: etree.Element, out: list[str], memo: bool = False) -> None:
        if el.text:
            out.append(escape(el.text, quote=False))
        for child in el:
            self.element(child, out, memo)
            if child.tail:
                out.append(escape(child.tail, quote=False))

    def element(self, el: etree.Element, out: list[str], memo: bool = False) -> None:
        tag = el.tag
        classes = _classes(el)
        if tag == "div" and "footnote" in classes:
            self.footnotes(el, out)
        elif tag == "div" and LABEL_TABLES & set(classes):
            out.append(self.open(el, "div", classes))
            self.children(el, out, memo=True)
            out.append("</div>\n")
        elif tag == "table" and memo:
            self.memo_table(el, out)
        elif tag == "img":
            out.append(escape(el.get("alt", ""), quote=False))
        elif tag == "a":
            self.link(el, out, classes)
        elif tag in BLOCKS or tag in INLINE:
            out.append(self.open(el, tag, classes))
            if tag not in VOID:
                self.children(el, out, memo)
                out.append(f"</{tag}>" + ("\n" if tag in BLOCKS else ""))
        else:
            self.children(el, out, memo)

    def open(self, el: etree.Element, tag: str, classes: list[str], **extra: str) -> str:
        attrs = dict(extra)
        if classes:
            attrs["class"] = " ".join(classes)
        if el.get("id") and _token(el.get("id", "")):
            attrs["id"] = _token(el.get("id", ""))
        if tag == "ol" and el.get("start", "").isdigit():
            attrs["start"] = el.get("start", "")
        if tag in ("td", "th"):
            align = el.get("align") or (m.group(1) if (m := _ALIGN.search(el.get("style", ""))) else None)
            if align in ("left", "center", "right"):
                attrs["style"] = f"text-align: {align}"
        if el.get("lang") and _LANG.fullmatch(el.get("lang", "")):
            attrs["lang"] = language_tag(el.get("lang", ""))
        if tag == "th" and "scope" not in attrs:
            attrs["scope"] = "col"
        text = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
        return f"<{tag}{text}>"

    def link(self, a: etree.Element, out: list[str], classes: list[str]) -> None:
        href = a.get("href", "")
        extra: dict[str, str] = {}
        if "footnote-ref" in classes:
            extra["role"] = "doc-noteref"
        elif "footnote-backref" in classes:
            extra = {"role": "doc-backlink", "aria-label": self.labels["back_to_text"]}
        if href.startswith(("http://", "https://", "mailto:")) or _ANCHOR.fullmatch(href):
            out.append(self.open(a, "a", classes, href=href, **extra))
            self.children(a, out)
            out.append("</a>")
        else:                   # javascript:, data:, a relative path: text only
            self.children(a, out)

    def memo_table(self, table: etree.Element, out: list[str]) -> None:
        """A label table (header block, signature lines): a column of row headers, no header row."""
        out.append("<table>\n<tbody>\n")
        for tr in table.iter("tr"):
            if not "".join(tr.itertext()).strip():
                continue             # the empty head row Markdown needs
            out.append("<tr>")
            for index, cell in enumerate(tr):           # label, value, label, value...
                tag = "td" if index % 2 else "th"
                out.append(self.open(cell, tag, [], **({} if index % 2 else {"scope": "row"})))
                self.children(cell, out)
                out.append(f"</{tag}>")
            out.append("</tr>\n")
        out.append("</tbody>\n</table>\n")

    def footnotes(self, div: etree.Element, out: list[str]) -> None:
        out.append(f'<section class="footnotes" role="doc-endnotes" '
                   f'aria-label="{escape(self.labels["notes"])}">\n<hr>\n')
        for child in div:
            if child.tag != "hr":
                self.element(child, out)
        out.append("</section>\n")
