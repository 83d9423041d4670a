"""Read a redline as Word would after *Accept All* or *Reject All*, independently of
briefgen's own code: paragraphs (style, text), table rows and footnotes in reading order."""
from __future__ import annotations

import copy
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from outputs import W

EDITS = [   # (old, new) in briefs/border-cooperation.md: every kind of change a redline shows
    ("subject: Canada–U.S. border cooperation and U.S. tariff measures",     # memo header table
     "subject: Canada–U.S. border cooperation and new U.S. tariff measures"),
    ("purpose: information\n", "purpose: information\nclassification: PROTECTED A\n"),  # marking
    ("This note provides information on Canada–U.S. border cooperation",       # prose
     "This note updates you on Canada–U.S. border cooperation"),
    ('particularly the U.S." [@atip-2024-11-briefing-notes-border-cooperation].',  # a locator
     'particularly the U.S." [@atip-2024-11-briefing-notes-border-cooperation, p. 2].'),
    ("last-minute concessions followed [@globalnews-2025-04-border-cooperation-documents].",
     "last-minute concessions followed."),                                      # footnote removed
    ("you informed.", ("you informed. The U.S. President first tied tariffs to the border in "
     "November 2024 [@trump-truth-social-2024-11-25].")),                       # footnote added
    (("- Canada works with its partners, above all the United States, to enforce border laws, "
     "share information and detect threats early"),                             # talking point
     ("- Canada works closely with its partners, above all the United States, to enforce "
     "border laws and detect threats early")),
    ("- Less than 1 per cent of the fentanyl",                                  # a new point
     ("- Canada will keep working with the United States on border security.\n"
     "- Less than 1 per cent of the fentanyl")),
]


def edited(text: str) -> str:
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def parts(path: Path) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(path) as package:
        return {n: ElementTree.fromstring(package.read(n)) for n in package.namelist()
                if n.startswith("word/") and n.endswith(".xml") and "/_rels/" not in n}


def resolved(root: ElementTree.Element, accept: bool) -> ElementTree.Element:
    """A copy of a part with every change accepted (or rejected)."""
    root = copy.deepcopy(root)
    gone, kept = (f"{W}del", f"{W}ins") if accept else (f"{W}ins", f"{W}del")
    parents = {child: parent for parent in root.iter() for child in parent}
    for row in list(root.iter(f"{W}tr")):
        if row.find(f"{W}trPr/{gone}") is not None:
            parents[row].remove(row)
    for p in list(root.iter(f"{W}p")):
        if p.find(f"{W}pPr/{W}rPr/{gone}") is not None and p in parents:
            parents[p].remove(p)         # its mark goes, and (in a note) all its text with it
        elif not accept:
            change = p.find(f"{W}pPr/{W}pPrChange/{W}pPr")
            if change is not None:
                ppr = p.find(f"{W}pPr")
                for child in list(ppr):
                    if child.tag != f"{W}rPr":
                        ppr.remove(child)
                ppr[0:0] = list(change)
    parents = {child: parent for parent in root.iter() for child in parent}
    for el in list(root.iter()):
        if el.tag == gone:
            parents[el].remove(el)
        elif el.tag == kept and el in parents and parents[el].tag != f"{W}rPr":
            parent = parents[el]
            index = list(parent).index(el)
            parent.remove(el)
            parent[index:index] = list(el)
    for t in root.iter(f"{W}delText"):
        t.tag = f"{W}t"
    return root


def blocks(root: ElementTree.Element) -> list[tuple[str, str]]:
    """(style, text) of every paragraph; footnote references as [n] in reading order."""
    found, count = [], 0
    for p in root.iter(f"{W}p"):
        text = []
        for el in p.iter():
            if el.tag == f"{W}t":
                text.append(el.text or "")
            elif el.tag == f"{W}footnoteReference":
                count += 1
                text.append(f"[{count}]")
        style = p.find(f"{W}pPr/{W}pStyle")
        found.append((style.get(f"{W}val") if style is not None else "", "".join(text)))
    return found


def footnotes(document: ElementTree.Element, notes: ElementTree.Element) -> list[str]:
    """Each footnote's text, in the order of its reference in the body."""
    by_id = {n.get(f"{W}id"): n for n in notes.iter(f"{W}footnote")}
    return ["".join(t.text or "" for t in by_id[ref.get(f"{W}id")].iter(f"{W}t")).strip()
            for ref in document.iter(f"{W}footnoteReference")]


def reading(path: Path, accept: bool | None) -> dict[str, object]:
    """Body, footnotes, headers and footers as read after Accept All (True), Reject
    All (False), or of a plain DOCX (None)."""
    found = {name: root if accept is None else resolved(root, accept)
             for name, root in parts(path).items()}
    body = found["word/document.xml"]
    return {"body": blocks(body), "notes": footnotes(body, found["word/footnotes.xml"]),
            "stories": sorted(" / ".join(t for _, t in blocks(root))
                              for name, root in found.items()
                              if name.startswith(("word/header", "word/footer")))}
