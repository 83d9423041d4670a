"""Which paragraphs of a note print which field of its brief, and what a reviewer changed.

Both the note rebuilt from the brief and the note the reviewers edited are cut
the same way: the memo header table by its labels, the body by its ``##``
headings (and the signature lines by theirs). Pieces are compared pairwise;
only a field whose printed text differs is re-derived, paragraph by paragraph
(:mod:`briefgen.review.align`), so an unedited note changes nothing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from briefgen.briefs import sections as S
from briefgen.note.render import format_date
from briefgen.review import align
from briefgen.review.docxread import MARK, Docx, Para, is_mark

HEADING, SUBHEADING = "heading 1", "heading 2"       # a note's '##' and '###'
HEADER_FIELDS = ("to", "from", "subject", "date", "tracking_number", "spokesperson",
                 "approval_status")
SIGNATURE_FIELDS = ("prepared_by", "approved_by", "contact")
Loc = tuple[Any, ...]


@dataclass
class Segment:
    key: str                                   # "h:HEADING", "s:FIELD", or "" before the first
    paras: list[Para] = field(default_factory=list)


@dataclass
class Layout:
    header: dict[str, Para]                    # label key → the value cell's paragraph
    segments: list[Segment]


def layout(doc: Docx, labels: dict[str, str]) -> Layout:
    """The note cut into its header rows and its sections."""
    signature = {S.key(labels[k]): k for k in SIGNATURE_FIELDS if labels.get(k)}
    header: dict[str, Para] = {}
    segments = [Segment("")]
    table, label = None, ""
    for para in doc.paras:
        if para.cell is None and not para.text.strip():
            continue                  # an empty line a reviewer (or a table's spacing) left
        if para.cell is not None:
            if table is None and len(segments) == 1:
                table = para.cell[0]
            if para.cell[0] == table:
                if para.cell[2] % 2 == 0:
                    label = S.key(para.text)
                elif label in header:         # Enter pressed in a cell: one value still
                    header[label].text += " " + para.text
                    header[label].runs += [(" ", False, False), *para.runs]
                else:
                    header[label] = para
                continue
        first = para.runs[0] if para.runs else ("", False, False)
        if para.style == HEADING:
            segments.append(Segment("h:" + " ".join(para.text.split())))
        elif para.cell is None and first[1] and S.key(first[0]) in signature:
            segments.append(Segment("s:" + signature[S.key(first[0])], [para]))
        else:
            segments[-1].paras.append(para)
    return Layout(header, segments)


def canonical(para: Para, notes: list[str]) -> str:
    """A paragraph's text with each footnote as its text: equal means unedited."""
    return "".join(f"\x00{notes[ord(c) - MARK]}\x00" if is_mark(c) else c for c in para.text)


@dataclass
class Outcome:
    """What absorbing found: edits to make, and what to tell the user."""

    sets: dict[Loc, str] = field(default_factory=dict)          # text fields' new text
    lists: dict[Loc, list[str]] = field(default_factory=dict)   # lists with items added/removed
    done: list[str] = field(default_factory=list)               # fields changed
    notes: list[str] = field(default_factory=list)              # what the user should look at
    by_hand: list[str] = field(default_factory=list)            # edits not absorbed
    unmapped: list[str] = field(default_factory=list)           # structure not recognised


class Mapper:
    def __init__(self, brief: dict[str, Any], lang: str, labels: dict[str, str],
                 rebuilt: Docx, edited: Docx) -> None:
        self.brief, self.lang, self.labels = brief, lang, labels
        self.rebuilt, self.edited = rebuilt, edited
        self.marks = align.Marks(numbered=not rebuilt.notes)
        self.out = Outcome()

    def run(self) -> Outcome:
        old, new = layout(self.rebuilt, self.labels), layout(self.edited, self.labels)
        self._structure(old, new)
        if self.out.unmapped:
            return self.out
        pairs = list(zip(old.segments, new.segments))
        plans = [(self._field(a.key), a, b) for a, b in pairs]
        for loc, a, _ in plans:          # the footnotes the brief's citations became
            for part, paras in self._split(loc, [p for p in a.paras if p.cell is None]) or [] \
                    if loc is not None else []:
                for source, para in self._units(part, paras)[1]:
                    self.marks.printed(para, self.rebuilt.notes, self.marks.source(source))
        for label, para in old.header.items():
            self._header(label, para, new.header[label])
        for loc, a, b in plans:
            if self._same(a.paras, b.paras):
                continue
            if loc is None:
                self.out.by_hand.append(f"'{_shown(a.key)}': edited in the DOCX, but briefgen "
                                        "makes this text itself; change the brief by hand")
            else:
                self._segment(loc, a, b)
        return self.out

    # Structure ---------------------------------------------------------------

    def _structure(self, old: Layout, new: Layout) -> None:
        for label in old.header:
            if label not in new.header:
                self.out.unmapped.append(f"the header row '{label}' is missing")
        keys, found = [s.key for s in old.segments], [s.key for s in new.segments]
        for label in new.header:
            if label not in old.header:
                self.out.unmapped.append(f"the header row '{label}' is not the note's")
        for key in keys:
            if key not in found:
                self.out.unmapped.append(f"the section '{_shown(key)}' is missing (its "
                                         "heading was deleted or retyped)")
        for key in found:
            if key not in keys:
                self.out.unmapped.append(f"'{_shown(key)}' is a heading the note does not have")
        if not self.out.unmapped and keys != found:
            self.out.unmapped.append("the sections are in another order than the note's")

    def _field(self, key: str) -> Loc | None:
        """The field a section prints, or None for what briefgen writes itself."""
        if key.startswith("s:"):
            return (key[2:],) if key[2:] != "contact" else None
        if not key.startswith("h:"):
            return None
        heading = key[2:]
        found = S.match(heading)
        if found is not None and found[0] == "if_pressed":
            topics = [S.key(p["topic"]) for p in self.brief.get("if_pressed", [])]
            topic = S.key(found[1] or "")
            return ("if_pressed", topics.index(topic), "lines") if topic in topics else None
        if found is not None and self.brief.get(found[0]) not in (None, "", []):
            return (found[0],)
        for name in self.brief.get("fields", {}):
            if S.key(name) == S.key(heading):
                return ("fields", name)
        return None

    def _value(self, loc: Loc) -> Any:
        value: Any = self.brief
        for part in loc:
            value = value[part]
        return value

    # Sections ----------------------------------------------------------------

    def _units(self, loc: Loc, paras: list[Para]) -> tuple[str, list[tuple[str, Para]]]:
        """A field's form ("plain": one line, "list", "prose", or "" when it does not map
        paragraph by paragraph) and its Markdown pieces paired with the paragraphs
        printing them."""
        value = self._value(loc)
        if loc[0] in SIGNATURE_FIELDS or loc[-1] in ("question", "title"):
            return ("plain", [(value, paras[0])]) if len(paras) == 1 else ("", [])
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ("list", list(zip(value, paras))) if len(value) == len(paras) else ("", [])
        if isinstance(value, str):
            pieces = [value[u.start:u.end] for u in align.units(value)]
            return ("prose", list(zip(pieces, paras))) if len(pieces) == len(paras) else ("", [])
        return "", []

    def _same(self, old: list[Para], new: list[Para]) -> bool:
        return [canonical(p, self.rebuilt.notes) for p in old] == \
            [canonical(p, self.edited.notes) for p in new]

    def _segment(self, loc: Loc, old: Segment, new: Segment) -> None:
        where = ".".join(map(str, loc))
        before = [p for p in old.paras if p.cell is None]
        paras = [p for p in new.paras if p.cell is None]
        if not self._same([p for p in old.paras if p.cell is not None],
                          [p for p in new.paras if p.cell is not None]):
            self.out.by_hand.append(f"{where}: a table under '{_shown(old.key)}' was edited; "
                                    "change the brief by hand")
            if self._same(before, paras):
                return
        parts, edited = self._split(loc, before), self._split(loc, paras)
        if parts is None or edited is None or [p[0] for p in parts] != [p[0] for p in edited]:
            self.out.by_hand.append(f"{where}: edited in the DOCX, but its form does not map "
                                    "paragraph by paragraph; change the brief by hand")
            return
        for (part, mine), (_, theirs) in zip(parts, edited):
            if not self._same(mine, theirs):
                self._diff(part, mine, theirs)

    def _split(self, loc: Loc, paras: list[Para]) -> list[tuple[Loc, list[Para]]] | None:
        """A section as the fields it prints: itself, or for questions and answers and for
        a briefing note's options, each entry's parts under its '###' heading."""
        value = self._value(loc)
        if loc not in (("qa",), ("options",)) or not value or not paras:
            return [(loc, paras)]
        groups: list[tuple[Para, list[Para]]] = []
        for para in paras:
            if para.style == SUBHEADING:
                groups.append((para, []))
            elif not groups:
                return None
            else:
                groups[-1][1].append(para)
        if len(groups) != len(value):
            return None
        parts: list[tuple[Loc, list[Para]]] = []
        sides = {S.key(self.labels.get(s, s)): s for s in ("pros", "cons")}
        for index, (heading, body) in enumerate(groups):
            if loc == ("qa",):
                parts += [((*loc, index, "question"), [heading]), ((*loc, index, "answer"), body)]
                continue
            parts.append(((*loc, index, "title"), [heading]))
            for para in body:
                if S.key(para.text) in sides:
                    parts.append(((*loc, index, sides[S.key(para.text)]), []))
                elif len(parts[-1][0]) == 2 + len(loc) and parts[-1][0][-1] != "title":
                    parts[-1][1].append(para)
                else:
                    return None
        return parts

    def _diff(self, loc: Loc, old: list[Para], paras: list[Para]) -> None:
        """One field's paragraphs as built and as edited: the field's new text."""
        where = ".".join(map(str, loc))
        form, pairs = self._units(loc, old)
        if not form:
            self.out.by_hand.append(f"{where}: edited in the DOCX, but its form does not map "
                                    "paragraph by paragraph; change the brief by hand")
            return
        sources = [self.marks.source(s) for s, _ in pairs]
        printed = [self.marks.printed(p, self.rebuilt.notes, s) for s, (_, p) in
                   zip(sources, pairs)]
        edited = [self.marks.printed(p, self.edited.notes) for p in paras]
        result: list[str | None] = [None] * len(pairs)      # None: unchanged
        added: dict[int, list[Para]] = {}                   # after which piece (-1: first)
        ops = SequenceMatcher(None, printed, edited, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            common = min(i2 - i1, j2 - j1)
            for k in range(common):
                result[i1 + k] = self._piece(where, sources[i1 + k], printed[i1 + k],
                                             edited[j1 + k], form == "plain")
            for k in range(i1 + common, i2):
                result[k] = ""
            if j2 > j1 + common:
                added.setdefault(i1 + common - 1, []).extend(paras[j1 + common:j2])
        new = {k: [align.markdown(p, self.marks, self.edited.notes) for p in v]
               for k, v in added.items()}
        for text in (t for texts in new.values() for t in texts):
            for note in self.marks.new_notes(text):
                self._new_note(where, note)
        after = [s if r is None else r for s, r in zip(sources, result)]
        self._lost(where, "".join(sources), "".join(after + [t for v in new.values() for t in v]))
        restore = self.marks.restore
        self._store(loc, form, [s for s, _ in pairs],
                    [None if r is None else restore(r) for r in result],
                    {k: [restore(t) for t in v] for k, v in new.items()})

    def _piece(self, where: str, source: str, printed: str, edited: str, plain: bool) -> str:
        """The source of one paragraph with the reviewers' edit (stand-ins still in)."""
        if plain:                 # one line: a label's space, a reviewer's trailing space
            printed, edited = printed.strip(), edited.strip()
        for note in self.marks.new_notes(edited):
            self._new_note(where, note)
        return align.transfer(source, printed, edited)

    def _lost(self, where: str, before: str, after: str) -> None:
        """Citations a field no longer has (one moved to another paragraph stays)."""
        gone = [c for c in dict.fromkeys(self.marks.cited(before))
                if c not in self.marks.cited(after)]
        for cluster in gone:
            self.out.notes.append(f"{where}: the citation {cluster} is gone with the footnote "
                                  "the reviewers deleted (briefgen check flags a figure left "
                                  "uncited)")

    def _new_note(self, where: str, note: str) -> None:
        self.out.by_hand.append(f"{where}: a footnote briefgen did not write was left out: "
                              f"“{note}”; cite the record it names as [@record-id]")

    def _store(self, loc: Loc, form: str, old: list[str], result: list[str | None],
               added: dict[int, list[str]]) -> None:
        where = ".".join(map(str, loc))
        if form == "plain":
            if result[0] is not None and result[0] != old[0]:
                self._set(loc, result[0])
            return
        if form == "list" and added or form == "list" and "" in result:
            items = []
            for index, text in [(-1, None), *enumerate(result)]:
                if index >= 0 and text != "":
                    items.append(old[index] if text is None else text)
                items += added.get(index, [])
            if not items:
                self.out.by_hand.append(f"{where}: the reviewers deleted every item; delete the "
                                        "section in the brief by hand")
                return
            self.out.lists[loc] = items
            self.out.done.append(f"{where}: {len(old)} → {len(items)} items")
            return
        if form == "list":
            for index, text in enumerate(result):
                if text is not None and text != old[index]:
                    self._set(loc + (index,), text)
            return
        value = prose(self._value(loc), result, added)
        if not value.strip():
            self.out.by_hand.append(f"{where}: the reviewers deleted all of its text; delete "
                                    "the section in the brief by hand")
        elif value != self._value(loc):
            self._set(loc, value)

    def _set(self, loc: Loc, value: str) -> None:
        self.out.sets[loc] = value
        self.out.done.append(".".join(map(str, loc)))

    # The header block --------------------------------------------------------

    def _header(self, label: str, old: Para, new: Para) -> None:
        if canonical(old, self.rebuilt.notes) == canonical(new, self.edited.notes):
            return
        name = next((n for n in HEADER_FIELDS if S.key(self.labels.get(n, "")) == label), None)
        text = " ".join(new.text.split())
        if name is None or not isinstance(self.brief.get(name), (str, dt.date)):
            self.out.by_hand.append(f"the header row '{label}' was edited; change the brief "
                                    "by hand")
        elif name == "date":
            day = parse_date(text, self.lang)
            if day is None:
                self.out.by_hand.append(f"date: “{text}” is not a date briefgen reads; write "
                                        "it in the brief as YYYY-MM-DD")
            else:
                self._set(("date",), day.isoformat())
        elif name == "approval_status":
            found = [s for s in ("draft", "pending", "approved")
                     if S.key(self.labels.get("status_" + s, "")) == S.key(text)]
            if found:
                self._set((name,), found[0])
            else:
                shown = ", ".join(self.labels.get(f"status_{s}", s)
                                  for s in ("draft", "pending", "approved"))
                self.out.by_hand.append(f"approval_status: “{text}” is not a status ({shown})")
        else:
            self._set((name,), align.transfer(self.brief[name], " ".join(old.text.split()),
                                              text, escape=name != "tracking_number"))


def prose(value: str, result: list[str | None], added: dict[int, list[str]]) -> str:
    """A prose field's text with pieces changed (text), removed ("") or added after one."""
    units = align.units(value)
    edits: list[tuple[int, int, str]] = []

    def line_start(unit: align.Unit) -> int:
        return value.rfind("\n", 0, unit.start) + 1

    for index, (unit, text) in enumerate(zip(units, result)):
        if text == "":
            begin = units[index - 1].end if index else line_start(unit)
            end = line_start(units[1]) if index == 0 and len(units) > 1 else unit.end
            edits.append((begin, end, ""))
        elif text is not None:
            edits.append((unit.start, unit.end, text))
    for after, texts in added.items():
        anchor = units[max(after, 0)]
        marker = value[line_start(anchor):anchor.start] if anchor.item else ""
        joined = ("\n" if anchor.item else "\n\n").join(marker + t for t in texts)
        if after < 0:
            edits.append((line_start(anchor), line_start(anchor),
                          joined + ("\n" if anchor.item else "\n\n")))
        else:
            edits.append((anchor.end, anchor.end, ("\n" if anchor.item else "\n\n") + joined))
    for begin, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        value = value[:begin] + text + value[end:]
    return value


_MONTHS = {m.casefold(): n for lang in ("en", "fr") for n in range(1, 13)
           for m in [format_date(dt.date(2000, n, 2), lang).split()[1]]}


def parse_date(text: str, lang: str) -> dt.date | None:
    """A date as the note prints it (10 April 2025, 1er avril 2025) or as YYYY-MM-DD."""
    text = " ".join(text.replace("\u00a0", " ").split())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(?:le )?(\d{1,2})(?:er)? (\w+),? (\d{4})", text.casefold())
    if match is None or match[2] not in _MONTHS:
        return None
    try:
        return dt.date(int(match[3]), _MONTHS[match[2]], int(match[1]))
    except ValueError:
        return None


def _shown(key: str) -> str:
    return key[2:] if key[:2] in ("h:", "s:") else key or "the title block"
