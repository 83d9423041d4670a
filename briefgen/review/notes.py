"""Footnotes in a redline: a kept reference diffs its footnote's text in place,
a removed reference brings the old footnote back (deleted), an added one marks
its footnote inserted. Ids are the new note's, and fresh ones for old notes."""
from __future__ import annotations

import copy

from briefgen.review.runs import Atom, Context, Element, Marks, Side, atoms, local, rebuilt, w
from briefgen.review.tracked import blocks

_SPECIAL = ("separator", "continuationSeparator", "continuationNotice")


def note_texts(root: Element | None) -> dict[str, str]:
    """Each footnote id → the text that identifies it (its words, without the number)."""
    if root is None:
        return {}
    side = Side()
    return {el.get(w("id"), ""): "".join(a.key for p in el.iter(w("p")) for a in atoms(p, side)
                                         if not _number_mark(a))
            for el in _notes(root)}


def _number_mark(atom: Atom) -> bool:
    """The footnote's own number (``w:footnoteRef``), which no change touches."""
    return atom.item is not None and local(atom.item) == "footnoteRef"


def _notes(root: Element) -> list[Element]:
    return [el for el in root.findall(w("footnote")) if el.get(w("type")) not in _SPECIAL]


class Notes:
    """The footnotes of both versions; the output is the new version's part, changed."""

    def __init__(self, old: Element | None, new: Element | None, marks: Marks,
                 old_side: Side, new_side: Side) -> None:
        self.old = {el.get(w("id"), ""): el for el in _notes(old)} if old is not None else {}
        self.root = new
        self.new = {el.get(w("id"), ""): el for el in _notes(new)} if new is not None else {}
        self.ctx = Context(marks, old_side, new_side)      # no footnotes inside footnotes
        ids = [int(i) for i in self.new if i.lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1

    def reference(self, kind: str, atom: Atom, old: Atom | None) -> str:
        """The id a reference gets in the redline, its footnote tracked to match."""
        note = atom.note or ""
        if kind == "ins" and note in self.new:
            self._whole(self.new[note], "ins", self.ctx.new)
        elif kind == "del":
            return self._carry(note)
        elif old is not None and old.key != atom.key and note in self.new and old.note in self.old:
            self._diff(self.old[old.note or ""], self.new[note])
        return note

    def _diff(self, old: Element, new: Element) -> None:
        content = [c for c in new if local(c) in ("p", "tbl")]
        result = blocks([c for c in old if local(c) in ("p", "tbl")], content, self.ctx)
        for child in content:
            new.remove(child)
        new.extend(result)

    def _carry(self, old_id: str) -> str:
        """The old footnote, deleted, under a fresh id in the new part."""
        source = self.old.get(old_id)
        if source is None or self.root is None:
            return old_id
        new_id = str(self.next_id)
        self.next_id += 1
        note = copy.deepcopy(source)
        note.set(w("id"), new_id)
        self._whole(note, "del", self.ctx.old)
        self.root.append(note)
        return new_id

    def _whole(self, note: Element, kind: str, side: Side) -> None:
        """Every word of a footnote inserted or deleted; its number mark stays."""
        for p in note.findall(w("p")):
            pieces = [("eq" if _number_mark(a) else kind, a, None)
                      for a in atoms(p, side)]
            result = rebuilt(p, pieces, self.ctx)
            if result is not p:
                p.getparent().replace(p, result)

    def in_reading_order(self, body: Element) -> None:
        """Footnotes numbered 1, 2, 3… in the order their references are read, and
        stored in that order: LibreOffice gives the n-th reference the n-th footnote
        of the part, whatever its id."""
        if self.root is None:
            return
        notes = {el.get(w("id"), ""): el for el in _notes(self.root)}
        order: list[Element] = []
        for ref in body.iter(w("footnoteReference")):
            note = notes.pop(ref.get(w("id"), ""), None)
            if note is not None:
                order.append(note)
                ref.set(w("id"), str(len(order)))
                note.set(w("id"), str(len(order)))
        for note in [*order, *notes.values()]:
            self.root.remove(note)
            self.root.append(note)
