"""Two DOCX files → the redline DOCX: the new file's package with its body,
footnotes, headers and footers carrying the changes from the old one."""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from briefgen.errors import InputError
from briefgen.review.notes import Notes, note_texts
from briefgen.review.runs import Context, Element, Marks, Side, local, w
from briefgen.review.tracked import blocks
from briefgen.writers.ooxml_package import deterministic_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # an encrypted (password-protected) DOCX
MAX_UNPACKED = 256 * 1024 * 1024    # a package larger than this unpacked is not a note (a zip bomb)
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


@dataclass
class Changes:
    """What a redline holds: counts of insertions and deletions (runs and marks)."""

    insertions: int
    deletions: int


def _within_limit(archive: zipfile.ZipFile, source: Path | str) -> None:
    """Refuse before unpacking what would not fit a note: zip reads stop at the sizes
    the package declares, so checking those bounds the memory a redline takes."""
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        raise InputError(f"over {MAX_UNPACKED // 2**20} MB once unpacked; not a note",
                         file=source)


class Package:
    """A DOCX read into memory: its members, and the parts a redline rewrites, parsed."""

    def __init__(self, data: bytes, source: Path | str) -> None:
        self.source = source
        if data[:8] == OLE_MAGIC:
            raise InputError("the document is password-protected (encrypted); save a copy "
                             "without a password in Word and use that", file=source)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                _within_limit(archive, source)
                self.members = {info.filename: archive.read(info) for info in archive.infolist()
                                if not info.is_dir()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                NotImplementedError) as err:
            raise InputError(f"not a DOCX file (not a readable zip: {err})", file=source) from None
        self.main = self._main_part()
        self.parsed: dict[str, Element] = {}
        self.document = self.xml(self.main)
        if local(self.document) != "document" or self.document.find(w("body")) is None:
            raise InputError("not a DOCX file: it holds no Word document", file=source)
        self.rels = self._rels(self.main)

    def _main_part(self) -> str:
        rels = self.members.get("_rels/.rels")
        if rels is not None:
            for rel in self._parse("_rels/.rels", rels).iter(_REL):
                if rel.get("Type", "").endswith("/officeDocument"):
                    name = rel.get("Target", "").lstrip("/")
                    if name in self.members:
                        return name
        if "word/document.xml" in self.members:
            return "word/document.xml"
        raise InputError("not a DOCX file: it holds no Word document", file=self.source)

    def _parse(self, name: str, data: bytes) -> Element:
        try:
            return etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as err:
            raise InputError(f"damaged DOCX file: {name} is not well-formed XML ({err})",
                             file=self.source) from None

    def xml(self, name: str) -> Element:
        if name not in self.parsed:
            self.parsed[name] = self._parse(name, self.members[name])
        return self.parsed[name]

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId → (relationship type, member name) for the part's internal relationships."""
        folder, name = posixpath.split(part)
        data = self.members.get(posixpath.join(folder, "_rels", f"{name}.rels"))
        if data is None:
            return {}
        found = {}
        for rel in self._parse("rels", data).iter(_REL):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), member)
        return found

    def part_of_type(self, suffix: str) -> str | None:
        return next((m for t, m in self.rels.values() if t.endswith(suffix) and m in self.members),
                    None)

    def stories(self) -> dict[tuple[int, str, str], str]:
        """Each section's headers and footers: (section, kind, type) → member name."""
        found = {}
        sections = self.document.iter(w("sectPr"))
        for index, sect in enumerate(sections):
            for ref in sect:
                kind = local(ref)
                if kind in ("headerReference", "footerReference"):
                    rel = self.rels.get(ref.get(_R_ID, ""))
                    if rel is not None and rel[1] in self.members:
                        found[(index, kind, ref.get(w("type"), "default"))] = rel[1]
        return found

    def notes(self) -> Element | None:
        name = self.part_of_type("/footnotes")
        return self.xml(name) if name else None


def redline(old: Package, new: Package, author: str, date: str) -> tuple[bytes, Changes]:
    """The new package with every change since the old one tracked (``new`` is rewritten)."""
    marks = Marks(author, date)
    old_side, new_side = Side(note_texts(old.notes())), Side(note_texts(new.notes()))
    notes = Notes(old.notes(), new.notes(), marks, old_side, new_side)
    body = new.document.find(w("body"))
    _story(old.document.find(w("body")), body, Context(marks, old_side, new_side, notes))
    notes.in_reading_order(body)
    old_stories = old.stories()
    plain = Context(marks, Side(), Side())
    for key, name in sorted(new.stories().items()):
        before = old.xml(old_stories[key]) if key in old_stories else None
        _story(before, new.xml(name), plain)
    members = dict(new.members)
    for name, root in new.parsed.items():
        members[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                       standalone=True)
    return deterministic_zip(members), Changes(marks.count["ins"], marks.count["del"])


def _story(old: Element | None, new: Element, ctx: Context) -> None:
    """A body, header or footer: its blocks diffed, its section properties kept last."""
    content = [c for c in new if local(c) in ("p", "tbl")]
    before = [c for c in old if local(c) in ("p", "tbl")] if old is not None else []
    result = blocks(before, content, ctx)
    tail = [c for c in new if local(c) not in ("p", "tbl")]
    for child in list(new):
        new.remove(child)
    new.extend(result)
    new.extend(tail)
