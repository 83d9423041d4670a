"""The reference document prepared once per process, and the zip the DOCX writer assembles.

A note is written from copies of the prepared reference's parts: what one note
adds (lists that restart, links, footnotes, markings) must never show in the
next, an edited workspace reference.docx must be read again, and the zip built
from parts compressed beforehand must be the bytes zipfile writes.
"""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from briefgen.errors import OutputError
from briefgen.note.composer import compose
from briefgen.workspace import Workspace
from briefgen.writers import docx as docx_writer
from briefgen.writers import docx_reference
from briefgen.writers.ooxml_package import ZIP_EPOCH, deterministic_zip

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = Path(__file__).parent.parent / "templates" / "reference.docx"


def add_docx_fixtures(ws: Path) -> Path:
    """The brief with tables, lists that restart and odd characters, and its record."""
    for folder in ("briefs", "sources"):
        for path in (FIXTURES / "docx" / folder).iterdir():
            shutil.copy(path, ws / folder / path.name)
    return ws


def _write(ws: Path, brief: str, reference: Path) -> bytes:
    return docx_writer.write(compose(Workspace(ws), ws / "briefs" / brief), reference)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_a_note_is_the_same_whatever_was_written_before_it(workspace: Path) -> None:
    """Lists that restart, links and footnotes of one note stay out of the next."""
    add_docx_fixtures(workspace)
    docx_reference._prepared.cache_clear()
    first = _write(workspace, "note.yaml", REFERENCE)
    layout = _write(workspace, "layout.yaml", REFERENCE)
    again = _write(workspace, "note.yaml", REFERENCE)
    assert again == first
    assert _write(workspace, "layout.yaml", REFERENCE) == layout
    numbering = _parts(layout)["word/numbering.xml"]
    assert numbering.count(b"<w:startOverride") > _parts(first)["word/numbering.xml"].count(
        b"<w:startOverride")


def test_the_reference_is_read_once_for_many_notes(workspace: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    real = docx.Document

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - python-docx's own signature
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(docx_reference.docx, "Document", counting)
    own = workspace / "templates" / "reference.docx"
    own.parent.mkdir()
    own.write_bytes(REFERENCE.read_bytes())
    for _ in range(3):
        _write(workspace, "note.yaml", own)
    assert len(opened) == 1


def test_an_edited_workspace_reference_is_read_again(workspace: Path) -> None:
    """Changing templates/reference.docx between two notes of one process changes the second."""
    own = workspace / "templates" / "reference.docx"
    own.parent.mkdir()
    own.write_bytes(REFERENCE.read_bytes())
    before = _parts(_write(workspace, "note.yaml", own))["word/document.xml"]
    edited = docx.Document(str(REFERENCE))
    edited.settings.odd_and_even_pages_header_footer = True
    edited.save(str(own))
    after = _parts(_write(workspace, "note.yaml", own))["word/document.xml"]
    assert b'w:type="even"' not in before
    assert b'w:headerReference w:type="even"' in after


def _zipfile_zip(members: dict[str, bytes]) -> bytes:
    """What the writer's zip must equal: zipfile's, fixed order and dates, mode 0644."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ["[Content_Types].xml", *sorted(n for n in members
                                                    if n != "[Content_Types].xml")]:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, members[name])
    return out.getvalue()


@pytest.mark.parametrize("members", [
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 500},
    {"[Content_Types].xml": b"", "b": b"", "a": bytes(range(256)) * 40},
    {"[Content_Types].xml": b"x", "word/m\u00e9dia/\u00e9t\u00e9.xml": "\u00e9".encode() * 3000},
], ids=["parts", "empty-and-binary", "non-ascii-name"])
def test_the_zip_is_the_one_zipfile_writes(members: dict[str, bytes]) -> None:
    data = deterministic_zip(members)
    assert data == _zipfile_zip(members)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        assert {name: package.read(name) for name in package.namelist()} == members


def test_every_part_of_a_note_zips_as_zipfile_zips_it(workspace: Path) -> None:
    note = _write(add_docx_fixtures(workspace), "layout.yaml", REFERENCE)
    assert note == _zipfile_zip(_parts(note))


def test_a_reference_without_page_settings_is_named(workspace: Path) -> None:
    """A body without w:sectPr gives no page size for the marking and the tables."""
    reference = docx.Document(str(REFERENCE))
    body = reference.element.body
    body.remove(body.sectPr)
    own = workspace / "templates" / "reference.docx"
    own.parent.mkdir()
    reference.save(str(own))
    with pytest.raises(OutputError, match="cannot read the reference document: its body has "
                                          "no section properties") as caught:
        _write(workspace, "note.yaml", own)
    assert caught.value.file == own
