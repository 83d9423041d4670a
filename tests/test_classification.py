"""Classification: the ordered scale, French markings, and the check on a composed note."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from outputs import W, docx_part, paragraph_text

from briefgen.builder import build
from briefgen.errors import CitationError, ClassificationError, InputError
from briefgen.models import DEFAULT_LEVELS, Brief
from briefgen.note.check import check_brief
from briefgen.note.classification import Scale
from briefgen.note.composer import compose, finish
from briefgen.note.labels import labels_for
from briefgen.note.render import environment
from briefgen.workspace import Workspace

SCALE = Scale(DEFAULT_LEVELS)


@pytest.mark.parametrize(("lower", "higher"), [
    ("UNCLASSIFIED", "PROTECTED A"),
    ("PROTECTED A", "PROTECTED B"),
    ("PROTECTED B", "PROTECTED C"),
    ("CONFIDENTIAL", "SECRET"),
    ("SECRET", "TOP SECRET"),
])
def test_levels_are_ordered(lower: str, higher: str) -> None:
    assert SCALE.rank(lower) < SCALE.rank(higher)


@pytest.mark.parametrize(("written", "level"), [
    ("PROTECTED B", "PROTECTED B"),
    ("protected b", "PROTECTED B"),
    ("  Protected   B ", "PROTECTED B"),
    ("PROTÉGÉ B", "PROTECTED B"),
    ("protégé b", "PROTECTED B"),
    ("PROTEGE B", "PROTECTED B"),             # French typed without accents
    ("PROTE\u0301GE\u0301 B", "PROTECTED B"),  # decomposed accents
    ("NON CLASSIFIÉ", "UNCLASSIFIED"),
    ("très secret", "TOP SECRET"),
    ("confidentiel", "CONFIDENTIAL"),
])
def test_normalise(written: str, level: str) -> None:
    assert SCALE.normalise(written) == level


def test_unknown_level_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as err:
        SCALE.normalise("PROTECTED D")
    message = str(err.value)
    assert "'PROTECTED D'" in message
    assert all(level in message for level in DEFAULT_LEVELS)


def test_highest() -> None:
    assert SCALE.highest(["protected a", "UNCLASSIFIED", "PROTÉGÉ B"]) == "PROTECTED B"
    assert SCALE.highest(["UNCLASSIFIED"]) == "UNCLASSIFIED"


@pytest.mark.parametrize(("level", "lang", "marking"), [
    ("PROTECTED B", "fr", "PROTÉGÉ B"),
    ("PROTECTED B", "en", "PROTECTED B"),
    ("UNCLASSIFIED", "fr", "NON CLASSIFIÉ"),
    ("TOP SECRET", "fr", "TRÈS SECRET"),
])
def test_marking(level: str, lang: str, marking: str) -> None:
    assert Scale.marking(level, lang) == marking


def test_custom_scale() -> None:
    scale = Scale(["public", "Internal", "RESTRICTED"])
    assert scale.levels == ["PUBLIC", "INTERNAL", "RESTRICTED"]
    assert scale.highest(["internal", "public"]) == "INTERNAL"
    with pytest.raises(ValueError, match="PUBLIC, INTERNAL, RESTRICTED"):
        scale.normalise("UNCLASSIFIED")


# --- through note.compose -------------------------------------------------------------------

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _compose(ws: Path):  # type: ignore[no-untyped-def]
    return compose(Workspace(ws), ws / "briefs/note.yaml")


def test_brief_marked_lower_than_a_cited_record(workspace: Path) -> None:
    _edit(workspace / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED B")
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: UNCLASSIFIED\n")
    with pytest.raises(ClassificationError) as err:
        _compose(workspace)
    message = err.value.message
    assert "UNCLASSIFIED" in message and "PROTECTED B" in message
    assert "'atip-note'" in message
    assert str(Path("sources/atip-note.yaml")) in message
    assert Path(err.value.file).name == "note.yaml"
    assert (err.value.line, err.value.field) == (8, "classification")


def test_record_listed_in_sources_counts_too(workspace: Path) -> None:
    _edit(workspace / "sources/memo-text.md", "kind: memo\n", "kind: memo\nclassification: PROTECTED A\n")
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: UNCLASSIFIED\n")
    with pytest.raises(ClassificationError, match="memo-text"):
        _compose(workspace)


def test_brief_marked_at_or_above_its_records(workspace: Path) -> None:
    _edit(workspace / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED B")
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: protected c\n")
    assert _compose(workspace).level == "PROTECTED C"


def test_unmarked_brief_takes_the_highest_cited_level(workspace: Path) -> None:
    _edit(workspace / "sources/stats.json", '"kind": "statistic"',
          '"kind": "statistic", "classification": "protégé b"')
    _edit(workspace / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED A")
    _edit(workspace / "briefs/note.yaml", "purpose: information\n", "purpose: information\nlang: fr\n")
    note = _compose(workspace)
    assert (note.level, note.marking) == ("PROTECTED B", "PROTÉGÉ B")


def test_unmarked_brief_is_at_least_the_workspace_default(workspace: Path) -> None:
    _edit(workspace / "briefgen.toml", 'classification = "UNCLASSIFIED"',
          'classification = "PROTECTED A"')
    assert _compose(workspace).level == "PROTECTED A"


def test_unknown_level_on_a_record_names_its_file(workspace: Path) -> None:
    _edit(workspace / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED Z")
    with pytest.raises(InputError) as err:
        _compose(workspace)
    assert Path(err.value.file) == Path("sources/atip-note.yaml")
    assert err.value.field == "classification"
    assert "PROTECTED Z" in err.value.message


def test_custom_levels_from_settings(workspace: Path) -> None:
    (workspace / "briefgen.toml").write_text(
        'classification = "PUBLIC"\nclassification_levels = ["PUBLIC", "INTERNAL", "RESTRICTED"]\n',
        encoding="utf-8")
    for record in (workspace / "sources").iterdir():
        record.unlink()
    (workspace / "sources/r1.yaml").write_text(
        "kind: memo\ntitle: One\nclassification: internal\n", encoding="utf-8")
    (workspace / "sources/r2.yaml").write_text(
        "kind: memo\ntitle: Two\nclassification: RESTRICTED\n", encoding="utf-8")
    brief = workspace / "briefs/note.yaml"
    brief.write_text("subject: S\ndate: 2025-01-02\nsummary: One [@r1].\n", encoding="utf-8")
    assert _compose(workspace).level == "INTERNAL"

    brief.write_text("subject: S\ndate: 2025-01-02\nclassification: internal\n"
                     "summary: One [@r1] and two [@r2].\n", encoding="utf-8")
    with pytest.raises(ClassificationError, match="INTERNAL.*'r2'.*RESTRICTED"):
        _compose(workspace)


def test_unknown_default_in_settings_is_an_error(workspace: Path) -> None:
    _edit(workspace / "briefgen.toml", 'classification = "UNCLASSIFIED"',
          'classification = "HUSH"')
    with pytest.raises(InputError) as err:
        Workspace(workspace)
    assert Path(err.value.file).name == "briefgen.toml"
    assert err.value.field == "classification"


# --- citations a template adds: they reach the note, so they count -----------------------------

CITING_TEMPLATE = """{% extends "builtin/briefing-note.md.j2" %}
{% block summary %}{{ super() }}
Marked {{ marking }}: CITE.
{% endblock %}
"""


def _template_cites(ws: Path, cite: str) -> Path:
    """A PROTECTED B record that only the workspace's template cites."""
    _edit(ws / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED B")
    _edit(ws / "briefs/note.yaml", "[@atip-note, p. 4; @news-article]", "[@news-article]")
    _edit(ws / "briefs/note.yaml", "the U.S. [@atip-note]", "the U.S. [@stats]")
    (ws / "templates").mkdir()
    template = ws / "templates/briefing-note.md.j2"
    template.write_text(CITING_TEMPLATE.replace("CITE", cite), encoding="utf-8")
    return template


def _footnoted(body: str) -> list[str]:
    """The record ids the built note's footnotes name (by their titles)."""
    return [line for line in body.splitlines() if line.startswith("[^")]


@pytest.mark.parametrize("cite", ['{{ "atip-note" | cite }}', '{{ "atip-note" | cite("p. 2") }}',
                                  "[@atip-note]"])
def test_template_citation_above_the_marking_is_an_error(workspace: Path, cite: str) -> None:
    _template_cites(workspace, cite)
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: UNCLASSIFIED\n")
    with pytest.raises(ClassificationError) as err:
        _compose(workspace)
    message = err.value.message
    assert "marked UNCLASSIFIED but its template" in message
    assert "briefing-note.md.j2 cites 'atip-note'" in message and "PROTECTED B" in message
    assert Path(err.value.file).name == "note.yaml" and err.value.field == "classification"


def test_template_citation_raises_an_unmarked_note(workspace: Path) -> None:
    _template_cites(workspace, '{{ "atip-note" | cite }}')
    note = _compose(workspace)
    assert (note.level, note.marking) == ("PROTECTED B", "PROTECTED B")
    assert "Marked PROTECTED B:" in note.body         # the template saw the raised marking
    assert any("Briefing note on border cooperation" in line for line in _footnoted(note.body))


def test_template_citation_of_an_unknown_record_names_the_template(workspace: Path) -> None:
    _template_cites(workspace, '{{ "atip-nots" | cite }}')
    with pytest.raises(CitationError) as err:
        _compose(workspace)
    assert "'@atip-nots'; did you mean 'atip-note'?" in err.value.message
    assert Path(err.value.file).name == "briefing-note.md.j2"


def test_check_counts_what_the_template_cites(workspace: Path) -> None:
    _template_cites(workspace, '{{ "atip-note" | cite }}')
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: UNCLASSIFIED\n")
    (found,) = [f for f in check_brief(Workspace(workspace), workspace / "briefs/note.yaml")
                if f.rule == "classification"]
    assert "its template" in found.message and "'atip-note'" in found.message
    assert (found.line, found.field) == (8, "classification")


def test_check_reports_a_template_citing_an_unknown_record(workspace: Path) -> None:
    _template_cites(workspace, '{{ "atip-nots" | cite }}')
    found = [f for f in check_brief(Workspace(workspace), workspace / "briefs/note.yaml")
             if f.rule == "unknown-citation"]
    assert len(found) == 1 and "'@atip-nots'" in found[0].message


def test_build_refuses_and_writes_nothing(workspace: Path) -> None:
    _template_cites(workspace, '{{ "atip-note" | cite }}')
    _edit(workspace / "briefs/note.yaml", "purpose: information\n",
          "purpose: information\nclassification: UNCLASSIFIED\n")
    result = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "md,docx"],
                            cwd=workspace, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "marked UNCLASSIFIED but its template" in result.stderr
    assert "Traceback" not in result.stderr and not (workspace / "out").exists()


def test_the_last_guard_reads_the_finished_text(workspace: Path) -> None:
    """Whatever level a caller computed, ``finish`` refuses a note marked below what it cites."""
    _edit(workspace / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED A")
    ws = Workspace(workspace)
    brief = Brief(id="n", subject="S", date="2025-01-02")
    env = environment(None)
    with pytest.raises(ClassificationError, match="marked UNCLASSIFIED but cites 'atip-note'"):
        finish(ws, env, brief, workspace, "en", "UNCLASSIFIED", labels_for("en", {}),
               "Text [@atip-note].\n", ws.records)
    with pytest.raises(CitationError, match="'@nope'"):
        finish(ws, env, brief, workspace, "en", "TOP SECRET", labels_for("en", {}),
               "Text [@nope].\n", ws.records)


# --- a reference to a record above the lowest level ends with the record's marking -------------

def _protected_atip(ws: Path) -> None:
    _edit(ws / "sources/atip-note.yaml", "classification: UNCLASSIFIED",
          "classification: PROTECTED B")


def test_footnotes_of_a_protected_record_end_with_its_marking(workspace: Path) -> None:
    _protected_atip(workspace)
    notes = _footnoted(_compose(workspace).body)
    assert notes == [
        "[^1]: The Daily Record, “Border talks continue”, 13 December 2024. "
        "<https://example.org/news/border_talks?id=1&x=2>",
        "[^2]: Border Agency, “Northern border seizures”, 31 January 2025, p. 3.",
        "[^3]: Public Safety Canada, “Briefing note on border cooperation”, 13 November 2024 "
        "(ATIP A-2024-00123, p. 4) (PROTECTED B); The Daily Record, “Border talks continue”.",
        "[^4]: Public Safety Canada, “Briefing note on border cooperation” (PROTECTED B).",
        "[^5]: Border Agency, “Northern border seizures”.",
    ]


def test_the_marking_is_in_the_note_s_language(workspace: Path) -> None:
    _protected_atip(workspace)
    _edit(workspace / "briefs/note.yaml", "purpose: information\n", "purpose: information\nlang: fr\n")
    notes = _footnoted(_compose(workspace).body)
    # (the English record's title is tagged as English inside the French note)
    assert notes[3] == ("[^4]: Public Safety Canada, «\u00a0[Briefing note on border cooperation]"
                        "{lang=en}\u00a0» (PROTÉGÉ B).")


def test_a_sources_list_entry_ends_with_the_marking_too(workspace: Path) -> None:
    _protected_atip(workspace)
    _edit(workspace / "briefgen.toml", 'citations = "footnotes"', 'citations = "sources-list"')
    body = _compose(workspace).body
    assert ("3. Public Safety Canada, “Briefing note on border cooperation”, 13 November 2024 "
            "(ATIP A-2024-00123) (PROTECTED B).\n") in body


def test_a_citation_template_cannot_leave_the_marking_out(workspace: Path) -> None:
    _protected_atip(workspace)
    (workspace / "templates").mkdir()
    (workspace / "templates/citation.md.j2").write_text("{{ record.title }}\n", encoding="utf-8")
    notes = _footnoted(_compose(workspace).body)
    assert notes[3] == "[^4]: Briefing note on border cooperation (PROTECTED B)."
    assert notes[1] == "[^2]: Northern border seizures."


def test_the_docx_footnotes_carry_the_marking(workspace: Path) -> None:
    _protected_atip(workspace)
    build(Workspace(workspace), ["note"], ["docx"], Path("out"), check=False)
    texts = [paragraph_text(p) for p in docx_part(workspace / "out/note.docx", "word/footnotes.xml")
             .iter(f"{W}p")]
    assert any(t.endswith("Briefing note on border cooperation” (PROTECTED B).") for t in texts)
    assert sum("(PROTECTED B)" in t for t in texts) == 2


def test_a_digest_template_cannot_cite_past_the_ceiling(workspace: Path) -> None:
    _protected_atip(workspace)
    (workspace / "templates").mkdir()
    (workspace / "templates/digest.md.j2").write_text(
        '{% extends "builtin/digest.md.j2" %}\n'
        '{% block overview %}{{ super() }}\nAlso {{ "atip-note" | cite }}.\n{% endblock %}\n',
        encoding="utf-8")
    command = [sys.executable, "-m", "briefgen", "digest", "--since", "2024-01-01",
               "--until", "2025-12-31", "--format", "md"]
    result = subprocess.run([*command, "--max-classification", "UNCLASSIFIED"], cwd=workspace,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert ("a template cites 'atip-note' (sources/atip-note.yaml), a record this note leaves "
            "out; remove that citation from the template") in result.stderr
    assert not (workspace / "out").exists()
    result = subprocess.run(command, cwd=workspace, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr     # without the ceiling the digest holds it
    (digest,) = (workspace / "out/digests").glob("*.md")
    text = digest.read_text(encoding="utf-8")
    assert text.startswith("**PROTECTED B**") and "(PROTECTED B)." in text


def test_a_listed_source_the_template_cites_is_used(workspace: Path) -> None:
    path = workspace / "briefs/note.yaml"
    unused = [f for f in check_brief(Workspace(workspace), path) if f.rule == "unused-source"]
    assert [f.message.split("'")[1] for f in unused] == ["memo-text"]
    _template_cites(workspace, '{{ "memo-text" | cite }}')
    assert [f for f in check_brief(Workspace(workspace), path) if f.rule == "unused-source"] == []
