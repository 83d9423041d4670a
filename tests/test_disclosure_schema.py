"""The disclosure lists briefgen writes are the portal's, column by column.

The oracle is the portal's own table definitions, copied unchanged into
tests/fixtures/disclosure/ (origin and revision in its README). A column
added, removed, renamed, retyped or given new codes upstream fails here.
The example workspace's export is then validated against those files by a
validator written from the schema alone, not from briefgen's code.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.disclosure.export import export
from briefgen.disclosure.schema import TABLES, Column, Table, codes, problems
from briefgen.workspace import Workspace, init

SCHEMAS = Path(__file__).parent / "fixtures" / "disclosure"
FILES = {"briefing-titles": "briefingt.yaml", "qp-notes": "qpnotes.yaml"}
EXAMPLE_MONTHS = {"briefing-titles": "2025-04", "qp-notes": "2025-06"}


def resource(kind: str) -> dict[str, Any]:
    """The list's resource in the portal's schema (not its 'nothing to report' twin)."""
    schema = yaml.safe_load((SCHEMAS / FILES[kind]).read_text(encoding="utf-8"))
    (found,) = [r for r in schema["resources"] if r["resource_name"] == schema["dataset_type"]]
    return found


def published(kind: str) -> list[dict[str, Any]]:
    """The columns a department fills in: the schema's fields less the portal's own audit ones."""
    return [f for f in resource(kind)["fields"] if f.get("import_template_include", True)]


def trigger(kind: str) -> str:
    return "\n".join(str(t) for item in resource(kind)["triggers"] if isinstance(item, dict)
                     for t in item.values())


def schema_codes(field: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """A field's codes: its own ``choices``, or its ``choices_file`` less ``exclude_choices``."""
    if "choices_file" in field:
        listed = json.loads((SCHEMAS / field["choices_file"]).read_text(encoding="utf-8"))
    else:
        listed = field.get("choices", {})
    labels = {code: c.get("shortform", c) for code, c in listed.items()}
    return {code: (names["en"], names["fr"]) for code, names in labels.items()
            if code not in field.get("exclude_choices", [])}


def no_comma(kind: str) -> set[str]:
    return set(re.findall(r"IF NEW\.(\w+) LIKE '%,%'", trigger(kind)))


def both_languages(kind: str) -> tuple[dt.date | None, set[tuple[str, str]]]:
    """Columns the trigger wants in both languages or neither, and from which date_received."""
    text = trigger(kind)
    pairs = set(re.findall(r"both_languages_error\(NEW\.(\w+), '\w+', NEW\.(\w+)", text))
    since = re.search(r"NEW\.date_received >= '(\d{4}-\d\d-\d\d)'::date", text)
    return (dt.date.fromisoformat(since[1]) if since else None), pairs


def column(kind: str, name: str) -> Column:
    return next(c for c in TABLES[kind].columns if c.id == name)


@pytest.mark.parametrize("kind", FILES)
def test_columns_are_the_schemas_in_its_order(kind: str) -> None:
    assert TABLES[kind].ids == [f["datastore_id"] for f in published(kind)]
    assert TABLES[kind].resource == resource(kind)["resource_name"]


@pytest.mark.parametrize("kind", FILES)
def test_types_lengths_and_required_flags_are_the_schemas(kind: str) -> None:
    for field in published(kind):
        ours = column(kind, field["datastore_id"])
        mandatory = field.get("obligation") == "Mandatory"
        assert mandatory == bool(field.get("excel_required")), field["datastore_id"]
        assert (ours.type, ours.required, ours.max_chars) == \
            (field["datastore_type"], mandatory, field.get("max_chars")), field["datastore_id"]


@pytest.mark.parametrize("kind", FILES)
def test_code_lists_are_the_schemas(kind: str) -> None:
    for field in published(kind):
        ours = column(kind, field["datastore_id"])
        if "choices" in field or "choices_file" in field:
            assert ours.choices is not None, field["datastore_id"]
            assert codes(ours.choices) == schema_codes(field), field["datastore_id"]
        else:
            assert ours.choices is None, field["datastore_id"]


@pytest.mark.parametrize("kind", FILES)
def test_trigger_rules_are_the_schemas(kind: str) -> None:
    assert {c.id for c in TABLES[kind].columns if c.no_comma} == no_comma(kind)
    since, pairs = both_languages(kind)
    assert TABLES[kind].both_since == since
    ours = {(c.id, c.both_with) for c in TABLES[kind].columns if c.both_with}
    assert ours == pairs | {(b, a) for a, b in pairs}


def test_minister_codes_are_the_portals_list_without_the_governor_general() -> None:
    (field,) = [f for f in published("qp-notes") if f["datastore_id"] == "minister"]
    assert field["exclude_choices"] == ["GG"]
    assert codes("minister")["MPS"] == ("Minister of Public Safety", "Ministre de la sécurité publique")
    assert "GG" not in codes("minister") and len(codes("minister")) == len(schema_codes(field))


# The example workspace's export against the schema files --------------------------


def schema_errors(kind: str, header: list[str], row: dict[str, str]) -> list[str]:
    """What the portal would refuse in one CSV row, judged from the schema file alone."""
    found = []
    fields = published(kind)
    assert header == [f["datastore_id"] for f in fields]
    for field in fields:
        name, value = field["datastore_id"], row[field["datastore_id"]]
        if not value:
            if field.get("obligation") == "Mandatory":
                found.append(f"{name}: empty")
            continue
        if field["datastore_type"] == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                found.append(f"{name}: not a date")
        codes_ = schema_codes(field)
        if codes_ and value not in codes_:
            found.append(f"{name}: not a code")
        if "max_chars" in field and len(value) > field["max_chars"]:
            found.append(f"{name}: too long")
        if name in no_comma(kind) and "," in value:
            found.append(f"{name}: comma")
    since, pairs = both_languages(kind)
    if since is None or "date_received: not a date" not in found and \
            dt.date.fromisoformat(row["date_received"]) >= since:
        found += [f"{a}/{b}: one language" for a, b in pairs if bool(row[a]) != bool(row[b])]
    return found


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples") / "ws"
    init(root)
    return root


@pytest.mark.parametrize("kind", FILES)
def test_the_examples_export_validates_against_the_schema_file(examples: Path, kind: str) -> None:
    result = export(Workspace(examples), kind, EXAMPLE_MONTHS[kind])
    data = result.path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                    # UTF-8 with a BOM, as the portal's
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header, *rows = list(reader)
    assert len(rows) == result.rows >= 1
    for values in rows:
        row = dict(zip(header, values, strict=True))
        assert schema_errors(kind, header, row) == [], row[header[0]]


def test_the_schema_validator_here_finds_what_the_portal_refuses() -> None:
    """The oracle above can fail: each rule it reads from the schema catches a bad row."""
    header = [f["datastore_id"] for f in published("briefing-titles")]
    good = {"tracking_number": "PS-1", "title_en": "T", "title_fr": "T", "originating_sector_en": "S",
            "originating_sector_fr": "S", "addressee": "M", "date_received": "2026-03-01",
            "action_required": "I", "additional_information_en": "", "additional_information_fr": ""}
    assert schema_errors("briefing-titles", header, good) == []
    bad = {**good, "tracking_number": "PS,1", "title_fr": "", "addressee": "X",
           "date_received": "2026-02-30", "additional_information_en": "More"}
    assert schema_errors("briefing-titles", header, {**bad, "date_received": "2026-03-01"}) == [
        "tracking_number: comma", "title_fr: empty", "addressee: not a code",
        "additional_information_en/additional_information_fr: one language"]
    assert schema_errors("briefing-titles", header, {**good, "date_received": "2025-02-30"}) == [
        "date_received: not a date"]


# briefgen's own validator (schema.problems) ----------------------------------------


def test_problems_names_every_broken_column_of_a_row() -> None:
    table = TABLES["briefing-titles"]
    row = {"tracking_number": "PS-2025,1", "title_en": "T", "title_fr": "", "addressee": "Q",
           "originating_sector_en": "S", "originating_sector_fr": "S", "date_received": "2026-13-01",
           "action_required": "I", "additional_information_en": "More"}
    found = dict(problems(table, row, {"title_fr": "give title_fr"}))
    assert found == {
        "tracking_number": "'PS-2025,1' has a comma, which the portal does not allow in a "
                           "tracking_number",
        "title_fr": "required by the portal (briefingt.title_fr): give title_fr",
        "addressee": "'Q' is not a code the portal takes; codes: M, D",
        "date_received": "'2026-13-01' is not a date (YYYY-MM-DD)",
    }
    row.update(tracking_number="PS-1", title_fr="T", addressee="M", date_received="2026-02-01")
    assert problems(table, row) == [(
        "additional_information_fr", "additional_information_en is given but "
        "additional_information_fr is not; the portal takes additional information in both "
        "languages or neither (notes received from 2026-02-01)")]
    assert problems(table, {**row, "date_received": "2026-01-31"}) == []


def test_problems_counts_characters_where_the_schema_sets_a_length() -> None:
    table = Table("t", "t", (Column("title_en", required=True, max_chars=5),))
    assert problems(table, {"title_en": "Short"}) == []
    assert problems(table, {"title_en": "Longer"}) == [
        ("title_en", "6 characters; the portal takes 5 at most")]
