"""Edit a DOCX briefgen wrote the way Word saves a reviewer's work: runs split,
tracked insertions and deletions, comments with their anchors, footnotes added
or removed, a header cell retyped. Always on a real note, never hand-typed XML.
"""
from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REVIEWER = {f"{{{W}}}author": "Reviewer DG", f"{{{W}}}date": "2025-04-12T09:30:00Z"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class Edited:
    """A DOCX opened for editing: its parts, and the XML ones parsed."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as package:
            self.parts = {name: package.read(name) for name in package.namelist()}
        self.xml = {name: etree.fromstring(self.parts[name]) for name in
                    ("word/document.xml", "word/footnotes.xml", "docProps/core.xml",
                     "[Content_Types].xml", "word/_rels/document.xml.rels")
                    if name in self.parts}
        self.next_id = 100

    @property
    def body(self) -> etree._Element:
        return self.xml["word/document.xml"]

    def paragraph(self, contains: str) -> etree._Element:
        for p in self.body.iter(w("p")):
            if contains in "".join(t.text or "" for t in p.iter(w("t"))):
                return p
        raise AssertionError(f"no paragraph has {contains!r}")

    def run_with(self, contains: str) -> tuple[etree._Element, etree._Element]:
        """The run holding ``contains``, split so that the text is a run of its own."""
        p = self.paragraph(contains)
        for r in p.iter(w("r")):
            t = r.find(w("t"))
            if t is not None and contains in (t.text or ""):
                before, _, after = t.text.partition(contains)
                for text, where in ((before, "before"), (after, "after")):
                    if text:
                        twin = copy.deepcopy(r)
                        twin.find(w("t")).text = text
                        twin.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space",
                                              "preserve")
                        (r.addprevious if where == "before" else r.addnext)(twin)
                t.text = contains
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                return p, r
        raise AssertionError(f"{contains!r} is split over runs")

    def retype(self, old: str, new: str) -> None:
        """Edit text in place, as with tracking off."""
        _, r = self.run_with(old)
        r.find(w("t")).text = new

    def track_delete(self, old: str) -> None:
        _, r = self.run_with(old)
        deleted = etree.Element(w("del"), {w("id"): self.new_id(), **REVIEWER})
        r.addprevious(deleted)
        deleted.append(r)
        t = r.find(w("t"))
        t.tag = w("delText")

    def track_delete_paragraph(self, contains: str) -> None:
        """Delete a whole paragraph with tracking on: its runs and its paragraph mark."""
        p = self.paragraph(contains)
        deleted = etree.Element(w("del"), {w("id"): self.new_id(), **REVIEWER})
        runs = p.findall(w("r"))
        runs[0].addprevious(deleted)
        for r in runs:
            deleted.append(r)
            for t in r.iter(w("t")):
                t.tag = w("delText")
        ppr = p.find(w("pPr"))
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        etree.SubElement(rpr, w("del"), {w("id"): self.new_id(), **REVIEWER})

    def track_insert(self, after: str, text: str) -> None:
        _, r = self.run_with(after)
        inserted = etree.Element(w("ins"), {w("id"): self.new_id(), **REVIEWER})
        run = copy.deepcopy(r)
        run.find(w("t")).text = text
        inserted.append(run)
        r.addnext(inserted)

    def delete_with_footnote(self, sentence: str) -> str:
        """Delete a sentence and the footnote reference right after it; the footnote's id."""
        _, r = self.run_with(sentence)
        ref = r.getnext()
        note = ref.find(w("footnoteReference"))
        assert note is not None, "no footnote after the sentence"
        r.getparent().remove(ref)
        r.getparent().remove(r)
        return note.get(w("id"))

    def drop_footnote(self, after: str) -> None:
        """Remove the footnote reference that follows ``after`` (the sentence stays)."""
        _, r = self.run_with(after)
        ref = r.getnext()
        assert ref.find(w("footnoteReference")) is not None, "no footnote after the text"
        ref.getparent().remove(ref)

    def add_paragraph_after(self, contains: str, text: str) -> None:
        """A new paragraph like the one holding ``contains`` (its style and list), after it."""
        p = self.paragraph(contains)
        new = copy.deepcopy(p)
        for child in list(new):
            if child.tag != w("pPr"):
                new.remove(child)
        etree.SubElement(etree.SubElement(new, w("r")), w("t")).text = text
        p.addnext(new)

    def delete_paragraph(self, contains: str) -> None:
        p = self.paragraph(contains)
        p.getparent().remove(p)

    def add_footnote(self, after: str, text: str) -> None:
        """A footnote a reviewer writes, after ``after``."""
        _, r = self.run_with(after)
        notes = self.xml["word/footnotes.xml"]
        ident = self.new_id()
        last = notes.findall(w("footnote"))[-1]
        note = copy.deepcopy(last)
        note.set(w("id"), ident)
        runs = [t for t in note.iter(w("t"))]
        runs[-1].text = text
        for t in runs[:-1]:
            t.text = " "
        notes.append(note)
        ref = etree.SubElement(etree.Element(w("r")), w("footnoteReference"), {w("id"): ident})
        rpr = etree.Element(w("rPr"))
        etree.SubElement(rpr, w("rStyle"), {w("val"): "FootnoteReference"})
        ref.getparent().insert(0, rpr)
        r.addnext(ref.getparent())

    def comment(self, anchor: str, text: str) -> None:
        """A comment on ``anchor``, with the comments part Word adds for the first one."""
        p, r = self.run_with(anchor)
        ident = self.new_id()
        r.addprevious(etree.Element(w("commentRangeStart"), {w("id"): ident}))
        r.addnext(etree.Element(w("commentRangeEnd"), {w("id"): ident}))
        mark = etree.Element(w("r"))
        etree.SubElement(mark, w("commentReference"), {w("id"): ident})
        r.getnext().addnext(mark)
        comments = self.xml.get("word/comments.xml")
        if comments is None:
            comments = self.xml["word/comments.xml"] = etree.Element(w("comments"), nsmap={"w": W})
            rels = self.xml["word/_rels/document.xml.rels"]
            etree.SubElement(rels, f"{{{REL}}}Relationship", Id="rIdComments",
                             Type=COMMENTS_REL, Target="comments.xml")
            etree.SubElement(self.xml["[Content_Types].xml"], f"{{{CT}}}Override",
                             PartName="/word/comments.xml", ContentType=COMMENTS_CT)
        note = etree.SubElement(comments, w("comment"), {w("id"): ident, **REVIEWER})
        para = etree.SubElement(note, w("p"))
        etree.SubElement(etree.SubElement(para, w("r")), w("t")).text = text

    def cell(self, label: str, new: str) -> None:
        """Retype the value cell of a memo header row."""
        for tr in self.body.iter(w("tr")):
            cells = tr.findall(w("tc"))
            if "".join(t.text or "" for t in cells[0].iter(w("t"))) == label:
                texts = list(cells[1].iter(w("t")))
                texts[0].text = new
                for t in texts[1:]:
                    t.text = ""
                return
        raise AssertionError(f"no header row {label!r}")

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def save(self, path: Path) -> Path:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for name, root in self.xml.items():
                self.parts[name] = etree.tostring(root, xml_declaration=True,
                                                  encoding="UTF-8", standalone=True)
            for name, data in self.parts.items():
                package.writestr(name, data)
        path.write_bytes(out.getvalue())
        return path
