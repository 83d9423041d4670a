"""Paragraphs as words over runs, and a changed paragraph written back with
its insertions and deletions as ``w:ins``/``w:del`` runs.

A paragraph is read as accepted (pending insertions in, deletions out) into
atoms: words, spaces, punctuation marks and objects (tabs, breaks, field
codes, footnote references), each with the run that formats it.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from briefgen.review.notes import Notes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Element = etree._Element
WORDS = re.compile(r"\w+|\s+|[^\w\s]")
_SKIP = {"del", "moveFrom", "pPr", "rPr", "bookmarkStart", "bookmarkEnd", "proofErr",
         "commentRangeStart", "commentRangeEnd", "permStart", "permEnd", "lastRenderedPageBreak"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def local(el: Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


@dataclass
class Marks:
    """The author and date of every change, and the next change id (unique in the file)."""

    author: str
    date: str
    next_id: int = 1
    count: dict[str, int] = field(default_factory=lambda: {"ins": 0, "del": 0})

    def add(self, parent: Element, kind: str, index: int | None = None) -> Element:
        """A ``w:ins``/``w:del``/``w:pPrChange``/… element under ``parent``."""
        el = parent.makeelement(w(kind), {w("id"): str(self.next_id), w("author"): self.author,
                                          w("date"): self.date})
        self.next_id += 1
        if index is None:
            parent.append(el)
        else:
            parent.insert(index, el)
        if kind in self.count:
            self.count[kind] += 1
        return el


@dataclass(frozen=True)
class Atom:
    """A word, a space, a punctuation mark or an object (tab, break, footnote reference)
    of a paragraph, with the run and hyperlink it came from."""

    key: str
    run: Element
    text: str = ""
    item: Element | None = None
    link: Element | None = None
    note: str | None = None         # the footnote id, for a footnote reference


@dataclass
class Side:
    """One version: what its footnote references say (for comparing them)."""

    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    marks: Marks
    old: Side
    new: Side
    notes: Notes | None = None       # None inside footnotes, headers and footers


# Objects of a run that point at other parts of their file (a picture, a comment,
# an endnote): an old version's cannot come into the redline, which has the new
# version's parts.
FOREIGN = {"drawing", "pict", "object", "commentReference", "endnoteReference", "ruby",
           "embeddedObject"}


# Reading ----------------------------------------------------------------------


def atoms(p: Element, side: Side) -> list[Atom]:
    """The paragraph's content as accepted (pending insertions in, deletions out)."""
    found: list[Atom] = []
    _collect(p, side, None, found)
    return found


def _collect(parent: Element, side: Side, link: Element | None, found: list[Atom]) -> None:
    for child in parent:
        name = local(child)
        if name == "r":
            _run_atoms(child, side, link, found)
        elif name == "hyperlink":
            _collect(child, side, child, found)
        elif name not in _SKIP and name:
            _collect(child, side, link, found)   # w:ins, w:smartTag, w:sdtContent, w:fldSimple…


def _run_atoms(r: Element, side: Side, link: Element | None, found: list[Atom]) -> None:
    for child in r:
        name = local(child)
        if name == "t":
            found.extend(Atom(word, r, word, link=link) for word in WORDS.findall(child.text or ""))
        elif name == "footnoteReference":
            note = child.get(w("id"), "")
            found.append(Atom("\0fn:" + side.notes.get(note, note), r, item=child, link=link,
                              note=note))
        elif name == "instrText":
            found.append(Atom("\0instr:" + (child.text or ""), r, item=child, link=link))
        elif name not in ("rPr", "delText", "delInstrText") and name:
            found.append(Atom("\0" + name + _attrs(child), r, item=child, link=link))


def _attrs(el: Element) -> str:
    return "".join(f" {k}={v}" for k, v in sorted(el.attrib.items()))


def signature(el: Element | None, drop: tuple[str, ...] = ()) -> str:
    """Formatting as a comparable string: children but ``drop`` and change records, no rsids."""
    if el is None:
        return ""
    return "".join(_canonical(child) for child in el if isinstance(child.tag, str)
                   and local(child) not in drop and local(child) not in ("ins", "del")
                   and not local(child).endswith("Change"))


def _canonical(el: Element) -> str:
    """An element as text, whatever namespace prefixes its document declares."""
    attrs = sorted((k, v) for k, v in el.attrib.items()
                   if not etree.QName(k).localname.startswith("rsid"))
    inner = "".join(_canonical(c) for c in el if isinstance(c.tag, str))
    return f"<{el.tag}{attrs}{el.text or ''}{inner}>"


def text_key(el: Element, side: Side) -> str:
    """What aligns blocks: a paragraph's words and footnotes, a table's cells."""
    if local(el) == "p":
        return "".join(a.key for a in atoms(el, side))
    return "\0tbl" + "\0|".join(text_key(p, side) for p in el.iter(w("p")))


# Paragraphs -------------------------------------------------------------------

Piece = tuple[str, Atom, Atom | None]       # ("eq" | "ins" | "del", atom, the old atom of "eq")


def paragraph(old: Element, new: Element, ctx: Context) -> Element:
    """``new`` with the word changes from ``old`` as insertions and deletions."""
    before, after = atoms(old, ctx.old), atoms(new, ctx.new)
    pieces = list(word_diff(before, after))
    same_format = all(kind == "eq" and _rpr(a.run) == _rpr(o.run)
                      for kind, a, o in pieces if o is not None)
    if (same_format and all(kind == "eq" and a.key == o.key for kind, a, o in pieces if o)
            and len(pieces) == len(after) == len(before) and _same_ppr(old, new)):
        return new                               # unchanged: kept as it was written
    result = rebuilt(new, pieces, ctx)
    if not _same_ppr(old, new):
        _ppr_change(result, old, ctx)
    return result


def word_diff(before: list[Atom], after: list[Atom]) -> Iterator[Piece]:
    """Equal, inserted and deleted atoms, in reading order; a footnote reference
    replaced by another in the same place is one footnote, changed."""
    matcher = SequenceMatcher(None, [a.key for a in before], [a.key for a in after],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in _readable(matcher.get_opcodes(), before):
        if tag == "equal":
            yield from (("eq", a, o) for o, a in zip(before[i1:i2], after[j1:j2]))
            continue
        olds, news = before[i1:i2], after[j1:j2]
        old_notes = [k for k, a in enumerate(olds) if a.note is not None]
        new_notes = [k for k, a in enumerate(news) if a.note is not None]
        i = j = 0
        for k_old, k_new in zip(old_notes, new_notes):
            yield from (("del", a, None) for a in olds[i:k_old])
            yield from (("ins", a, None) for a in news[j:k_new])
            yield "eq", news[k_new], olds[k_old]
            i, j = k_old + 1, k_new + 1
        yield from (("del", a, None) for a in olds[i:])
        yield from (("ins", a, None) for a in news[j:])


def _readable(opcodes: list[tuple[str, int, int, int, int]],
              before: list[Atom]) -> list[tuple[str, int, int, int, int]]:
    """Changes separated only by spaces or a punctuation mark made one: "~~provides
    information~~ updates you", not "~~provides~~ updates ~~information~~ you"."""
    ops = list(opcodes)
    for k in range(1, len(ops) - 1):
        tag, i1, i2, j1, j2 = ops[k]
        if (tag == "equal" and ops[k - 1][0] != "equal" and ops[k + 1][0] != "equal"
                and (i2 - i1 <= 2 or all(not a.key.strip() for a in before[i1:i2]))
                and not any(c.isalnum() for a in before[i1:i2] for c in a.key)):
            ops[k] = ("replace", i1, i2, j1, j2)
    merged: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if merged and merged[-1][0] != "equal" and op[0] != "equal":
            merged[-1] = ("replace", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def rebuilt(p: Element, pieces: list[Piece], ctx: Context, mark: str | None = None) -> Element:
    """``p`` (or, for a deleted paragraph, a copy of it) with its runs made again from
    ``pieces``; ``mark`` tracks the paragraph mark itself as inserted or deleted."""
    if mark == "del":
        target = p.makeelement(p.tag, {})
        ppr = p.find(w("pPr"))
        if ppr is not None:
            target.append(_old_ppr(ppr))
    else:
        target = p
        for child in list(p):
            if local(child) != "pPr":
                p.remove(child)
    _emit(target, pieces, ctx)
    if mark:
        mark_paragraph(target, mark, ctx)
    return target


def _old_ppr(ppr: Element) -> Element:
    """An old paragraph's properties, for its deleted copy: without its section break
    (which names the old file's headers) and without its own change records."""
    ppr = copy.deepcopy(ppr)
    for child in list(ppr):
        if local(child) in ("sectPr", "pPrChange"):
            ppr.remove(child)
    for mark in ppr.findall(f"{w('rPr')}/*"):
        if local(mark) in ("ins", "del", "moveFrom", "moveTo", "rPrChange"):
            mark.getparent().remove(mark)
    return ppr


def _emit(p: Element, pieces: list[Piece], ctx: Context) -> None:
    """Runs for the pieces: consecutive atoms of one run and one kind make one run,
    consecutive runs of one kind share one ``w:ins``/``w:del``."""
    link_el: Element | None = None          # the hyperlink being written, and its source
    link_src: Element | None = None
    wrapper: Element | None = None
    wrap_kind = ""
    run: Element | None = None
    run_id: tuple[object, ...] = ()
    for kind, atom, old in pieces:
        src_link = atom.link if kind != "del" else None
        if src_link is not link_src:
            link_src, wrapper, run = src_link, None, None
            link_el = None if src_link is None else p.makeelement(src_link.tag, src_link.attrib)
            if link_el is not None:
                p.append(link_el)
        container = link_el if link_el is not None else p
        tracked = kind if kind in ("ins", "del") else ""
        if tracked != wrap_kind or (wrapper is None and tracked):
            wrap_kind, run = tracked, None
            wrapper = ctx.marks.add(container, tracked) if tracked else None
        this_run = (id(atom.run), kind, None if old is None else id(old.run))
        if run is None or this_run != run_id:
            run = _new_run(wrapper if wrapper is not None else container, atom, kind, old, ctx)
            run_id = this_run
        _append(run, atom, kind, old, ctx)


def _new_run(parent: Element, atom: Atom, kind: str, old: Atom | None, ctx: Context) -> Element:
    run = parent.makeelement(w("r"), {})
    parent.append(run)
    rpr = atom.run.find(w("rPr"))
    if rpr is not None:
        rpr = copy.deepcopy(rpr)
        for change in rpr.findall(w("rPrChange")):
            rpr.remove(change)
        run.append(rpr)
    if kind == "eq" and old is not None and _rpr(old.run) != _rpr(atom.run):
        if rpr is None:
            rpr = run.makeelement(w("rPr"), {})
            run.insert(0, rpr)
        change = ctx.marks.add(rpr, "rPrChange")
        was = change.makeelement(w("rPr"), {})
        change.append(was)
        for child in old.run.find(w("rPr")) if old.run.find(w("rPr")) is not None else []:
            if not local(child).endswith("Change"):
                was.append(copy.deepcopy(child))
    return run


def _append(run: Element, atom: Atom, kind: str, old: Atom | None, ctx: Context) -> None:
    if atom.item is None:
        tag = w("delText") if kind == "del" else w("t")
        last = run[-1] if len(run) else None
        if last is not None and last.tag == tag:
            last.text = (last.text or "") + atom.text
        else:
            last = run.makeelement(tag, {})
            run.append(last)
            last.text = atom.text
        if last.text != last.text.strip():
            last.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            last.attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)
        return
    if kind == "del" and local(atom.item) in FOREIGN:
        return                      # it points into the old file's parts: the text is enough
    item = copy.deepcopy(atom.item)
    if kind == "del" and local(item) == "instrText":
        item.tag = w("delInstrText")
    run.append(item)
    if atom.note is not None and ctx.notes is not None:
        item.set(w("id"), ctx.notes.reference(kind, atom, old))


def _rpr(run: Element) -> str:
    return signature(run.find(w("rPr")))


def _same_ppr(old: Element, new: Element) -> bool:
    return (signature(old.find(w("pPr")), ("rPr", "sectPr"))
            == signature(new.find(w("pPr")), ("rPr", "sectPr")))


def _ppr_change(p: Element, old: Element, ctx: Context) -> None:
    """The old paragraph properties (a style, list or indent that changed), restorable."""
    ppr = _get_ppr(p)
    change = ctx.marks.add(ppr, "pPrChange")
    was = change.makeelement(w("pPr"), {})
    change.append(was)
    old_ppr = old.find(w("pPr"))
    for child in old_ppr if old_ppr is not None else []:
        if local(child) not in ("rPr", "sectPr") and not local(child).endswith("Change"):
            was.append(copy.deepcopy(child))


def _get_ppr(p: Element) -> Element:
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = p.makeelement(w("pPr"), {})
        p.insert(0, ppr)
    return ppr


def mark_paragraph(p: Element, kind: str, ctx: Context) -> None:
    """The paragraph mark inserted or deleted: ``w:pPr/w:rPr/w:ins|w:del``."""
    ppr = _get_ppr(p)
    rpr = ppr.find(w("rPr"))
    if rpr is None:
        rpr = ppr.makeelement(w("rPr"), {})
        later = [c for c in ppr if local(c) in ("sectPr", "pPrChange")]
        if later:
            later[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    ctx.marks.add(rpr, kind, 0)


def whole_paragraph(p: Element, kind: str, side: Side, ctx: Context) -> Element:
    return rebuilt(p, [(kind, a, None) for a in atoms(p, side)], ctx, mark=kind)

