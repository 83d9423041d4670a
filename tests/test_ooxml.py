"""Raw OOXML helpers, through real builds: what a staff reference.docx may not carry over."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from briefgen.builder import build
from briefgen.workspace import Workspace

REFERENCE = Path(__file__).parent.parent / "templates" / "reference.docx"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TEMPLATE_AT = "https://evil.example/normal.dotm"
ATTACHED_TEMPLATE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "attachedTemplate")
FRAME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/frame"
FRAME_AT = "https://evil.example/frame.html"


def _external_reference(ws: Path) -> Path:
    """The built-in reference.docx with an attachedTemplate on a web server in its
    settings, and a second external relationship on its document part."""
    reference = docx.Document(str(REFERENCE))
    settings = reference.part._settings_part
    r_id = settings.relate_to(TEMPLATE_AT, ATTACHED_TEMPLATE, is_external=True)
    attached = OxmlElement("w:attachedTemplate")
    attached.set(qn("r:id"), r_id)
    settings.element.insert(0, attached)
    reference.part.relate_to(FRAME_AT, FRAME, is_external=True)
    target = ws / "templates" / "reference.docx"
    target.parent.mkdir(exist_ok=True)
    reference.save(str(target))
    return target


def _rels(package: zipfile.ZipFile) -> list[etree._Element]:
    return [rel for name in package.namelist() if name.endswith(".rels")
            for rel in etree.fromstring(package.read(name)).iter(f"{REL}Relationship")]


def test_external_relationships_of_the_reference_are_left_out(
        workspace: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    _external_reference(workspace)
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        build(Workspace(workspace), ["note"], ["docx"], Path("out"))
    with zipfile.ZipFile(workspace / "out/note.docx") as package:
        external = [rel for rel in _rels(package) if rel.get("TargetMode") == "External"]
        settings = package.read("word/settings.xml")
    assert external, "the note's own hyperlinks are external relationships"
    assert {rel.get("Type") for rel in external} == {RT.HYPERLINK}
    assert "https://example.org/a" in {rel.get("Target") for rel in external}
    assert b"attachedTemplate" not in settings and b"evil.example" not in settings
    warnings = [r.getMessage() for r in caplog.records if "external link" in r.getMessage()]
    assert warnings == [f"{Path('templates/reference.docx')}: warning: left out 2 external "
                        f"link(s) Word could fetch when a note opens: {FRAME_AT}, {TEMPLATE_AT}"]
    docx.Document(str(workspace / "out/note.docx"))       # still a package python-docx reads


def test_the_built_in_reference_needs_nothing_left_out(
        workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        build(Workspace(workspace), ["note"], ["docx"], Path("out"))
    assert not [r for r in caplog.records if "external link" in r.getMessage()]
