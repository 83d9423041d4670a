"""Classification: the ordered scale, French markings, and the check on a composed note."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import ClassificationError, InputError
from briefgen.models import DEFAULT_LEVELS
from briefgen.note.classification import Scale
from briefgen.note.composer import compose
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
