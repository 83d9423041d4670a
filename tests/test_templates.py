"""Template customization from workspace files only: overrides, new types, restyling."""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.shared import Pt, RGBColor

from briefgen.builder import build
from briefgen.errors import ClassificationError, InputError, OutputError, TemplateError
from briefgen.note.composer import compose
from briefgen.note.templates import (
    check_templates,
    eject,
    find,
    list_templates,
    write_reference_docx,
)
from briefgen.workspace import Workspace


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write(ws: Path, name: str, text: str) -> Path:
    path = ws / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# list / show / eject ------------------------------------------------------------

def test_list_shows_origin_and_overrides(workspace: Path) -> None:
    write(workspace, "templates/briefing-note.md.j2", "{{ brief.subject }}\n")
    write(workspace, "templates/scenario-note.md.j2", "x\n")
    infos = {t.name: t for t in list_templates(Workspace(workspace))}
    assert infos["briefing-note.md.j2"].origin == "workspace"
    assert infos["briefing-note.md.j2"].overrides
    assert infos["scenario-note.md.j2"].origin == "workspace"
    assert not infos["scenario-note.md.j2"].overrides
    assert infos["citation.md.j2"].origin == "builtin"
    result = cli("templates", "list", cwd=workspace)
    assert "briefing-note.md.j2          workspace (overrides the built-in)" in result.stdout


def test_eject_copies_and_refuses_to_overwrite(workspace: Path) -> None:
    ws = Workspace(workspace)
    target = eject(ws, "briefing-note")
    assert target.read_text() == (find(ws, "base").path.parent / "briefing-note.md.j2").read_text()
    target.write_text("edited\n")
    with pytest.raises(OutputError, match="--force"):
        eject(ws, "briefing-note")
    assert target.read_text() == "edited\n"
    eject(ws, "briefing-note", force=True)
    assert "{% block summary %}" in target.read_text()


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", "sub/x.md.j2", ".hidden"])
def test_template_names_cannot_leave_templates(workspace: Path, name: str) -> None:
    with pytest.raises(InputError, match="not a template name"):
        find(Workspace(workspace), name)


def test_show_prints_the_template(workspace: Path) -> None:
    result = cli("templates", "show", "citation", cwd=workspace)
    assert result.returncode == 0
    assert "record.title" in result.stdout


# check ------------------------------------------------------------------------------

def test_check_reports_syntax_error_with_line(workspace: Path) -> None:
    write(workspace, "templates/broken.md.j2", "fine\n{% if %}\n")
    problems = check_templates(Workspace(workspace))
    assert any(isinstance(p, TemplateError) and p.line == 2 and str(p.file).endswith("broken.md.j2")
               for p in problems)
    result = cli("templates", "check", cwd=workspace)
    assert result.returncode == 1
    assert "broken.md.j2:2: template syntax error" in result.stderr


def test_check_reports_undefined_variable_name_and_line(workspace: Path) -> None:
    write(workspace, "templates/briefing-note.md.j2",
          '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}\n{{ brief.sumary }}\n'
          "{% endblock %}\n")
    problems = check_templates(Workspace(workspace))
    assert len(problems) == 1
    assert problems[0].line == 3 and "sumary" in str(problems[0])


@pytest.mark.parametrize(("schema", "said"), [
    ("required: [a\n", "YAML syntax error"),
    ("required: scenario\n", "required: expected a list of field names"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
     "YAML aliases (*name) repeat more than")])
def test_check_reads_a_schema_no_brief_uses_yet(workspace: Path, schema: str, said: str) -> None:
    """A broken schema is found before the first brief of its type is written."""
    write(workspace, "templates/scenario-note.schema.yaml", schema)
    result = cli("templates", "check", cwd=workspace)
    assert result.returncode == 1, result.stdout
    assert "templates/scenario-note.schema.yaml:" in result.stderr and said in result.stderr
    assert "Traceback" not in result.stderr


def test_extending_a_missing_template_is_a_clear_error(workspace: Path) -> None:
    write(workspace, "templates/briefing-note.md.j2", '{% extends "builtin/no-such.md.j2" %}\n')
    with pytest.raises(TemplateError, match="no-such.md.j2"):
        compose(Workspace(workspace), workspace / "briefs/note.yaml")


def test_clean_workspace_checks_clean(workspace: Path) -> None:
    assert check_templates(Workspace(workspace)) == []


# custom note types ---------------------------------------------------------------------

SCENARIO = """{% extends "builtin/base.md.j2" %}
{% block body %}
## Scenario

{{ brief.fields.scenario }}

## Risks

{% for risk in brief.fields.risks %}
- {{ risk | item }}
{% endfor %}
{% endblock %}
"""


@pytest.fixture
def scenario(workspace: Path) -> Path:
    write(workspace, "templates/scenario-note.md.j2", SCENARIO)
    write(workspace, "templates/scenario-note.schema.yaml", "required: [scenario, risks]\noptional: [owner]\n")
    return write(workspace, "briefs/scenario.yaml",
                 "type: scenario-note\nsubject: If talks stall\ndate: 2025-04-10\n"
                 "fields:\n  scenario: Talks stall [@news-article].\n"
                 "  risks:\n    - Tariffs rise [@stats].\n    - Delays\n")


def test_new_note_type_from_files_only(workspace: Path, scenario: Path) -> None:
    build(Workspace(workspace), ["scenario"], ["md", "docx"], check=False)
    text = (workspace / "out/scenario.md").read_text(encoding="utf-8")
    assert "## Scenario\n\nTalks stall.[^1]" in text
    assert "- Tariffs rise.[^2]\n- Delays" in text
    assert "[^1]: The Daily Record, “Border talks continue”" in text
    assert (workspace / "out/scenario.docx").is_file()


def test_schema_required_field_missing(workspace: Path, scenario: Path) -> None:
    scenario.write_text(scenario.read_text().replace("  scenario: Talks stall [@news-article].\n", ""))
    with pytest.raises(InputError) as err:
        compose(Workspace(workspace), scenario)
    assert err.value.field == "fields.scenario"
    assert err.value.line == 4
    assert "scenario-note.schema.yaml" in str(err.value)


def test_schema_unknown_field(workspace: Path, scenario: Path) -> None:
    scenario.write_text(scenario.read_text() + "  ownr: Me\n")
    with pytest.raises(InputError, match="unknown field for a scenario-note; known: scenario, risks, owner"):
        compose(Workspace(workspace), scenario)


def test_citations_in_fields_are_checked(workspace: Path, scenario: Path) -> None:
    scenario.write_text(scenario.read_text().replace("[@stats]", "[@stat]"))
    with pytest.raises(InputError, match="did you mean 'stats'"):
        compose(Workspace(workspace), scenario)


def test_citations_in_fields_count_for_the_marking(workspace: Path, scenario: Path) -> None:
    record = workspace / "sources/stats.json"
    record.write_text(record.read_text().replace('"kind": "statistic"',
                                                 '"kind": "statistic", "classification": "PROTECTED A"'))
    assert compose(Workspace(workspace), scenario).level == "PROTECTED A"
    scenario.write_text(scenario.read_text().replace("subject:", "classification: UNCLASSIFIED\nsubject:"))
    with pytest.raises(ClassificationError, match="marked UNCLASSIFIED but cites 'stats'"):
        compose(Workspace(workspace), scenario)


def test_missing_template_for_custom_type(workspace: Path, scenario: Path) -> None:
    (workspace / "templates/scenario-note.md.j2").unlink()
    result = cli("build", "scenario", cwd=workspace)
    assert result.returncode == 2
    assert "scenario-note.md.j2" in result.stderr
    assert not (workspace / "out").exists()


# restyling with reference.docx ------------------------------------------------------------

def _styled_reference(ws: Path) -> Path:
    target = write_reference_docx(ws / "templates")
    document = docx.Document(str(target))
    document.styles["Normal"].font.name = "Georgia"
    document.styles["Normal"].font.size = Pt(12)
    document.styles["Heading 1"].font.color.rgb = RGBColor(0x80, 0x00, 0x20)
    document.save(str(target))
    return target


def test_reference_docx_restyles_output(workspace: Path) -> None:
    _styled_reference(workspace)
    build(Workspace(workspace), ["note"], ["docx"], check=False)
    out = docx.Document(str(workspace / "out/note.docx"))
    assert out.styles["Normal"].font.name == "Georgia"
    assert out.styles["Normal"].font.size == Pt(12)
    assert out.styles["Heading 1"].font.color.rgb == RGBColor(0x80, 0x00, 0x20)
    headings = [p for p in out.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings][:2] == ["Summary", "Background"]


def _png() -> bytes:
    """A 1×1 PNG: a logo for the header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x55\xa0")) + chunk(b"IEND", b""))


def test_logo_in_reference_header_appears_beside_marking(workspace: Path) -> None:
    target = write_reference_docx(workspace / "templates")
    document = docx.Document(str(target))
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(_png()))
    document.save(str(target))
    build(Workspace(workspace), ["note"], ["docx"], check=False)
    with zipfile.ZipFile(workspace / "out/note.docx") as package:
        headers = [n for n in package.namelist() if n.startswith("word/header")]
        xml = "".join(package.read(n).decode() for n in headers)
        assert any(n.startswith("word/media/") for n in package.namelist())
    assert "<w:drawing>" in xml and "UNCLASSIFIED" in xml


def test_corrupt_reference_docx_fails_and_writes_nothing(workspace: Path) -> None:
    write(workspace, "templates/reference.docx", "not a zip")
    result = cli("build", cwd=workspace)
    assert result.returncode == 2
    assert "reference.docx" in result.stderr and "Traceback" not in result.stderr
    assert not (workspace / "out").exists()


def test_reference_docx_command(workspace: Path) -> None:
    result = cli("templates", "reference-docx", cwd=workspace)
    assert result.returncode == 0
    assert docx.Document(str(workspace / "templates/reference.docx")).styles["Talking Point"]
    assert cli("templates", "reference-docx", cwd=workspace).returncode == 2


# filters -------------------------------------------------------------------------------

def test_filters_for_template_authors(workspace: Path) -> None:
    write(workspace, "templates/briefing-note.md.j2",
          '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}\n'
          "{{ ['Canada', 'the U.S.', 'Mexico'] | join_and }}; {{ 3 }} record{{ 3 | pluralize }}; "
          "{{ 1 }} entr{{ 1 | pluralize('y', 'ies') }}; dated {{ brief.date | date }} "
          "{{ 'stats' | cite('p. 2') }}.\n{% endblock %}\n")
    body = compose(Workspace(workspace), workspace / "briefs/note.yaml").body
    assert "Canada, the U.S. and Mexico; 3 records; 1 entry; dated 10 April 2025.[^1]" in body
    assert "[^1]: Border Agency, “Northern border seizures”, 31 January 2025, p. 2." in body
