"""Document properties of the DOCX: a subject longer than a property holds still builds."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx

from briefgen.builder import build
from briefgen.workspace import Workspace


def test_a_subject_longer_than_a_property_builds(workspace: Path) -> None:
    """Word keeps 255 characters of a document property; the title is the subject's
    first 255 and the note's header block carries all of it."""
    subject = " ".join(f"word{i}" for i in range(80))          # 479 characters
    brief = workspace / "briefs" / "note.yaml"
    text = re.sub(r"(?m)^subject:.*$", f"subject: {subject}", brief.read_text(encoding="utf-8"))
    brief.write_text(text, encoding="utf-8")
    build(Workspace(workspace), ["note"], ["docx"])
    path = workspace / "out" / "note.docx"
    assert docx.Document(str(path)).core_properties.title == subject[:255]
    with zipfile.ZipFile(path) as package:
        assert subject.encode() in package.read("word/document.xml")
