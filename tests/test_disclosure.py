"""briefgen export disclosure: the example workspace's lists, read back; every bad input named."""
from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.builder import build
from briefgen.cli import main
from briefgen.errors import InputError
from briefgen.workspace import Workspace, init

FIXTURES = Path(__file__).parent / "fixtures"
# A briefing note with everything the list needs; {extra} adds or overrides fields.
NOTE = """type: briefing-note
tracking_number: {number}
lang: {lang}
subject: {subject}
date: {date}
summary: Text.
{extra}"""
QP = """type: qp-note
tracking_number: {number}
lang: {lang}
subject: {subject}
date: {date}
issue: The question [@news-article].
key_messages:
  - One [@news-article].
  - Two.
  - Three.
background: The background [@news-article].
{extra}"""
DEPARTMENT = """
[department]
name = "Test Department"
originating_sector_en = "Policy Branch"
originating_sector_fr = "Direction des politiques"
addressee = "M"
minister = "MPS"
"""


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace, as ``briefgen init`` makes it."""
    root = tmp_path_factory.mktemp("examples") / "ws"
    init(root)
    return root


@pytest.fixture
def ws(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test workspace with a [department] section and no briefs; the current folder."""
    monkeypatch.chdir(workspace)
    settings = workspace / "briefgen.toml"
    text = settings.read_text(encoding="utf-8").replace('department = "Test Department"\n', "")
    settings.write_text(text + DEPARTMENT, encoding="utf-8")
    (workspace / "briefs" / "note.yaml").unlink()
    return workspace


def write(ws: Path, name: str, template: str = NOTE, number: str = "PS-1", lang: str = "en",
          subject: str = "A title", date: str = "2025-04-10", extra: str = "") -> Path:
    path = ws / "briefs" / f"{name}.yaml"
    path.write_text(template.format(number=number, lang=lang, subject=subject, date=date,
                                    extra=extra), encoding="utf-8")
    return path


def export(ws: Path, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["-C", str(ws), "export", "disclosure", *options])
    out, err = capsys.readouterr()
    return status, out, err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


SECTIONS = {"Issue": "issue", "Enjeu": "issue", "Background": "background",
            "Contexte": "background", "Suggested Response": "key_messages",
            "Réponse suggérée": "key_messages"}


def spec(folder: Path, name: str) -> dict[str, Any]:
    """An example brief as plain data, read without briefgen: a YAML file, or a .md
    brief's front matter and the ``##`` sections the export uses (text, or ``- `` items)."""
    if (folder / f"{name}.yaml").is_file():
        return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
    _, front, body = (folder / f"{name}.md").read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(front)
    for section in re.split(r"^## ", body, flags=re.M)[1:]:
        heading, _, content = section.partition("\n")
        if heading in SECTIONS:
            items = re.split(r"^- ", content.strip(), flags=re.M)
            data[SECTIONS[heading]] = (content.strip() if items[0] else
                                       [item.strip().replace("\n  ", "\n") for item in items[1:]])
    return data


def uncited(text: str) -> str:
    """The text as published: without its [@citations]."""
    return re.sub(r"\s*\[@[^\]]*\]", "", text).strip()


# The example workspace --------------------------------------------------------------


def test_briefing_titles_read_back_equal_the_briefs(examples: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = export(examples, "--kind", "briefing-titles", "--month", "2025-04",
                            capsys=capsys)
    assert status == 0 and out.endswith("out/disclosure-briefing-titles-2025-04.csv (3 rows)\n")
    rows = read_csv(examples / "out" / "disclosure-briefing-titles-2025-04.csv")
    settings = (examples / "briefgen.toml").read_text(encoding="utf-8")
    sector_en = re.search(r'^originating_sector_en = "(.*)"', settings, re.M)[1]
    sector_fr = re.search(r'^originating_sector_fr = "(.*)"', settings, re.M)[1]
    # Media lines are not memoranda to the minister; QP notes have a list of their own.
    names = {"PS-2025-0142": "border-cooperation", "PS-2025-0148": "border-decision",
             "PS-2025-0155": "border-meeting"}
    actions = {"PS-2025-0142": "I", "PS-2025-0148": "D", "PS-2025-0155": "I"}
    assert [row["tracking_number"] for row in rows] == sorted(names)
    for row in rows:
        english = spec(examples / "briefs", names[row["tracking_number"]])
        french = spec(examples / "briefs", f"{names[row['tracking_number']]}-fr")
        assert row == {
            "tracking_number": english["tracking_number"], "title_en": english["subject"],
            "title_fr": french["subject"], "originating_sector_en": sector_en,
            "originating_sector_fr": sector_fr, "addressee": "M",
            "date_received": str(english["date"]),
            "action_required": actions[row["tracking_number"]],
            "additional_information_en": "", "additional_information_fr": ""}


def test_qp_notes_carry_every_field_in_both_languages(examples: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = export(examples, "--kind", "qp-notes", "--month", "2025-06", capsys=capsys)
    assert status == 0
    (row,) = read_csv(examples / "out" / "disclosure-qp-notes-2025-06.csv")
    english, french = spec(examples / "briefs", "border-qp"), spec(examples / "briefs", "border-qp-fr")
    assert all(row.values()), [k for k, v in row.items() if not v]
    assert english["tracking_number"] == french["tracking_number"] == row["reference_number"]
    assert row["title_en"] == english["subject"] == french["title_en"]
    assert row["title_fr"] == french["subject"] == english["title_fr"]
    assert row["minister"] == english["minister"] == french["minister"] == "MPS"
    assert row["date_received"] == str(english["date_received"]) == str(french["date_received"])
    for lang, brief in (("en", english), ("fr", french)):
        assert row[f"question_{lang}"] == uncited(brief["issue"])
        assert row[f"response_{lang}"] == "\n".join(f"* {uncited(m)}" for m in brief["key_messages"])
        assert row[f"background_{lang}"] == uncited(brief["background"])
        assert row[f"additional_information_{lang}"] == brief[f"additional_information_{lang}"].strip()
        assert "[@" not in "".join(row.values())


def test_the_docs_show_the_examples_list_as_it_is(examples: Path) -> None:
    from briefgen.disclosure.export import export as run

    doc = (Path(__file__).parent.parent / "docs" / "disclosure.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"^```csv\n(.*?)^```", doc, re.M | re.S)
    data = run(Workspace(examples), "briefing-titles", "2025-04").path.read_bytes()
    assert data.decode("utf-8-sig").replace("\r\n", "\n") == shown


def test_the_csv_is_the_same_bytes_every_time(examples: Path) -> None:
    from briefgen.disclosure.export import export as run

    first = run(Workspace(examples), "qp-notes", "2025-06").path.read_bytes()
    second = run(Workspace(examples), "qp-notes", "2025-06").path.read_bytes()
    assert first == second
    assert first.startswith("\ufeffreference_number,title_en,".encode()) and first.endswith(b"\r\n")
    assert first.count(b"\r\n") == 2          # header and one row; "\n" inside quoted values
    assert list(csv.reader(io.StringIO(first.decode("utf-8-sig"), newline="")))[1][0] == "PS-2025-0151"


def test_the_qp_note_prints_the_portals_labels_in_each_language(examples: Path) -> None:
    build(Workspace(examples), ["border-qp", "border-qp-fr"], ["md"])
    english = (examples / "out/border-qp.md").read_text(encoding="utf-8")
    french = (examples / "out/border-qp-fr.md").read_text(encoding="utf-8")
    for label in ("## Suggested Response", "## Background"):
        assert f"\n{label}\n" in english
    for label in ("## Réponse suggérée", "## Contexte"):
        assert f"\n{label}\n" in french
    assert "## Key Messages" not in english and "## Messages clés" not in french


# Rows: defaults, joins, periods -------------------------------------------------------


def test_defaults_come_from_the_department_and_the_purpose(ws: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "a", extra="purpose: signature\ntitle_fr: Un titre\n")
    write(ws, "b", number="PS-2", extra="title_fr: Un autre\naddressee: D\n"
          "originating_sector_en: Border Branch\ndate_received: 2025-04-30\n", date="2025-03-28")
    write(ws, "c", number="PS-3", template=NOTE.replace("briefing-note", "media-lines"))
    status, _, err = export(ws, "--kind", "briefing-titles", "--month", "2025-04", capsys=capsys)
    assert status == 0, err
    first, second = read_csv(ws / "out/disclosure-briefing-titles-2025-04.csv")
    assert (first["action_required"], first["addressee"], first["originating_sector_en"]) == \
        ("S", "M", "Policy Branch")
    assert (second["addressee"], second["originating_sector_en"], second["originating_sector_fr"],
            second["date_received"], second["action_required"]) == \
        ("D", "Border Branch", "Direction des politiques", "2025-04-30", "I")


def test_a_qp_note_belongs_to_the_sittings_that_end_in_june_or_december(
        ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for lang in ("en", "fr"):
        write(ws, f"jan-{lang}", QP, "QP-1", lang, "Janvier" if lang == "fr" else "January",
              "2025-01-02")
        write(ws, f"jul-{lang}", QP, "QP-2", lang, "Juillet" if lang == "fr" else "July",
              "2025-07-01")
    assert export(ws, "--kind", "qp-notes", "--month", "2025-06", capsys=capsys)[0] == 0
    assert [r["title_fr"] for r in read_csv(ws / "out/disclosure-qp-notes-2025-06.csv")] == ["Janvier"]
    assert export(ws, "--kind", "qp-notes", "--month", "2025-12", capsys=capsys)[0] == 0
    assert [r["title_en"] for r in read_csv(ws / "out/disclosure-qp-notes-2025-12.csv")] == ["July"]


# Bad input: one message each, exit 2, nothing written -------------------------------------


def test_every_problem_is_named_and_nothing_is_written(ws: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "no-french", number="PS-1")
    write(ws, "comma", number='"PS-2025,2"', extra="title_fr: Titre\n")
    write(ws, "twice", number="PS-3", extra="title_fr: Titre\n")
    write(ws, "twice-again", number="PS-3", extra="title_fr: Titre\n")
    write(ws, "qp", QP, number="QP-1", extra="title_fr: Titre\n")
    target = ws / "out" / "disclosure-briefing-titles-2025-04.csv"
    target.parent.mkdir()
    target.write_bytes(b"last month's\n")
    status, out, err = export(ws, "--kind", "briefing-titles", "--month", "2025-04", capsys=capsys)
    assert status == 2 and out == ""
    assert err.splitlines() == [
        "briefgen: error: briefs/twice.yaml:2: tracking_number: tracking number 'PS-3' is also "
        "used by briefs/twice-again.yaml; only the English and French versions of one note share "
        "a number",
        "briefgen: error: briefs/no-french.yaml: title_fr: required by the portal "
        "(briefingt.title_fr): give the French title as title_fr, or add the French version of "
        "this note (lang: fr, same tracking_number)",
        "briefgen: error: briefs/comma.yaml:2: tracking_number: 'PS-2025,2' has a comma, which the "
        "portal does not allow in a tracking_number",
        "briefgen: error: 3 problems in the briefing-titles list for 2025-04; nothing written"]
    assert target.read_bytes() == b"last month's\n"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_qp_note_without_its_french_version_is_named(ws: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "qp", QP, number="QP-1", extra="title_fr: Titre\n")
    status, _, err = export(ws, "--kind", "qp-notes", "--month", "2025-06", capsys=capsys)
    assert status == 2
    assert err.splitlines() == [
        "briefgen: error: briefs/qp.yaml:2: tracking_number: this QP note has no French version: "
        "add a qp-note with lang: fr and tracking_number: QP-1; the portal publishes both in one row",
        "briefgen: error: 1 problem in the qp-notes list for 2025-06; nothing written"]
    assert not (ws / "out").exists()


def test_a_reference_number_with_a_comma_is_named(ws: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for lang in ("en", "fr"):
        write(ws, f"qp-{lang}", QP, number='"QP,1"', lang=lang, extra=f"title_{lang}: Title\n")
    status, _, err = export(ws, "--kind", "qp-notes", "--month", "2025-06", capsys=capsys)
    assert status == 2
    assert err.splitlines()[0] == (
        "briefgen: error: briefs/qp-en.yaml:2: tracking_number: 'QP,1' has a comma, which the "
        "portal does not allow in a reference_number")


def test_versions_that_disagree_are_named(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "en", extra="title_fr: Un titre\n")
    write(ws, "fr", lang="fr", subject="Un autre titre", date="2025-04-11")
    status, _, err = export(ws, "--kind", "briefing-titles", "--month", "2025-04", capsys=capsys)
    assert status == 2
    assert "briefs/en.yaml:7: title_fr: 'Un titre' here but 'Un autre titre' in briefs/fr.yaml; " \
           "the English and French versions of a note must agree" in err
    assert "briefs/fr.yaml:5: date: '2025-04-11' here but '2025-04-10' in briefs/en.yaml; " \
           "the English and French versions of a note must agree" in err


def test_a_brief_that_cannot_be_read_is_listed_with_the_rest(ws: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "code", extra="title_fr: Titre\naddressee: X\n")
    write(ws, "purpose", number="PS-2", extra="title_fr: Titre\npurpose: decision\n"
          "action_required: I\n")
    status, _, err = export(ws, "--kind", "briefing-titles", "--month", "2025-04", capsys=capsys)
    assert status == 2
    assert err.splitlines() == [
        "briefgen: error: briefs/code.yaml:8: addressee: 'X' is not an addressee code; codes: "
        "M (Minister), D (Deputy head or equivalent)",
        "briefgen: error: briefs/purpose.yaml:9: action_required: 'I' does not match purpose: "
        "decision (code D); leave action_required out to take it from the purpose",
        "briefgen: error: 2 problems in the briefing-titles list for 2025-04; nothing written"]


@pytest.mark.parametrize("options, message", [
    (["--kind", "briefing-titles", "--month", "2025-13"],
     "--month 2025-13 is not a month; write it as YYYY-MM, e.g. 2025-04"),
    (["--kind", "briefing-titles", "--month", "0000-01"],
     "--month 0000-01 is not a month; write it as YYYY-MM, e.g. 2025-04"),
    (["--kind", "briefing-titles", "--month", "April"],
     "--month April is not a month; write it as YYYY-MM, e.g. 2025-04"),
    (["--kind", "qp-notes", "--month", "2025-04"],
     "--month 2025-04: QP notes are published for the sittings that end in June and December; "
     "use --month 2025-06 or 2025-12"),
    (["--kind", "briefing-titles", "--month", "2025-04", "--out", "nope/list.csv"],
     "the folder nope does not exist; create it, or give --out a file in a folder that exists"),
    (["--kind", "briefing-titles", "--month", "2025-04", "--out", "briefs"],
     "briefs is a folder; give --out a file name, such as "
     "briefs/disclosure-briefing-titles-2025-04.csv"),
    (["--kind", "briefing-titles", "--month", "2025-04 "],
     "--month 2025-04  is not a month; write it as YYYY-MM, e.g. 2025-04"),
    (["--kind", "briefing-titles", "--month", "\uff12\uff10\uff12\uff15-04"],
     "--month \uff12\uff10\uff12\uff15-04 is not a month; write it as YYYY-MM, e.g. 2025-04"),
    (["--kind", "briefing-titles", "--month", "2025-04", "--out", "list/"],
     "--out list is not a .csv file; give a file name ending in .csv, such as "
     "disclosure-briefing-titles-2025-04.csv"),
])
def test_bad_options_get_one_line(ws: Path, capsys: pytest.CaptureFixture[str],
                                  options: list[str], message: str) -> None:
    write(ws, "a", extra="title_fr: Titre\n")
    status, out, err = export(ws, *options, capsys=capsys)
    assert (status, out, err) == (2, "", f"briefgen: error: {message}\n")
    assert not (ws / "out").exists() and not (ws / "nope").exists()


def test_out_never_replaces_a_brief_or_the_settings(ws: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    brief = write(ws, "a", extra="title_fr: Titre\n")
    before = brief.read_bytes(), (ws / "briefgen.toml").read_bytes()
    for out in ("briefs/a.yaml", "briefgen.toml"):
        status, _, err = export(ws, "--kind", "briefing-titles", "--month", "2025-04",
                                "--out", out, capsys=capsys)
        assert (status, err) == (2, f"briefgen: error: --out {out} is not a .csv file; give a "
                                    "file name ending in .csv, such as "
                                    "disclosure-briefing-titles-2025-04.csv\n")
    assert (brief.read_bytes(), (ws / "briefgen.toml").read_bytes()) == before


def test_a_month_without_notes_writes_nothing(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "a", extra="title_fr: Titre\n")
    status, out, _ = export(ws, "--kind", "briefing-titles", "--month", "2025-05", capsys=capsys)
    assert status == 0
    assert out == ("no briefing notes for 2025-05 (2025-05-01 to 2025-05-31); nothing written: "
                   'report "nothing to report" on the portal\n')
    assert not (ws / "out").exists()


def test_the_department_section_checks_its_codes(ws: Path) -> None:
    settings = ws / "briefgen.toml"
    text = settings.read_text(encoding="utf-8").replace('"MPS"', '"MPX"')
    settings.write_text(text, encoding="utf-8")
    line = text.splitlines().index('minister = "MPX"') + 1
    with pytest.raises(InputError) as caught:
        Workspace(ws)
    assert caught.value.field == "department.minister" and caught.value.line == line
    assert caught.value.message.startswith("'MPX' is not a minister code; did you mean 'MPS' "
                                           "(Minister of Public Safety)? codes: AGC, AMF")


def test_a_department_name_alone_still_reads(workspace: Path) -> None:
    assert Workspace(workspace).settings.department.name == "Test Department"
    shutil.rmtree(workspace / "briefs")
    assert main(["-C", str(workspace), "-q", "export", "disclosure", "--kind", "qp-notes",
                 "--month", "2024-12"]) == 0
