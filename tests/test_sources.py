"""Readers: bad input gives an error naming the file, the line and the field."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from briefgen.errors import BriefgenError, InputError
from briefgen.readers import read_brief, read_record, read_records, read_settings

GOOD = "kind: news\ntitle: A title\n"


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _error(path: Path) -> BriefgenError:
    with pytest.raises(InputError) as err:
        read_record(path)
    return err.value


def _where(err: BriefgenError) -> tuple[str | None, int | None, str | None]:
    return (Path(err.file).name if err.file else None, err.line, err.field)


# --- YAML records -----------------------------------------------------------

def test_good_yaml_record(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "rec-1.yaml", GOOD + "date: 2024-12-13\n"))
    assert (record.id, record.title, record.date) == ("rec-1", "A title", dt.date(2024, 12, 13))
    assert record.added == record.date


def test_misspelled_field_suggests_the_right_one(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", "kind: news\ntitel: A title\n"))
    assert _where(err) == ("r.yaml", 2, "titel")
    assert "did you mean 'title'?" in err.message
    assert str(err).endswith("r.yaml:2: titel: " + err.message)


def test_misspelled_nested_field_suggests_from_its_own_model(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", GOOD + "quotes:\n  - text: Hi.\n    speker: Me\n"))
    assert _where(err) == ("r.yaml", 5, "quotes.0.speker")
    assert "did you mean 'speaker'?" in err.message


def test_missing_required_field(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", "kind: news\n"))
    assert _where(err) == ("r.yaml", None, "title")
    assert "required field is missing" in err.message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", GOOD + "tags: [a, b\nsummary: x\n"))
    assert err.file is not None and Path(err.file).name == "r.yaml"
    assert err.line in (3, 4)
    assert "YAML syntax error" in err.message


def test_duplicate_yaml_key_names_both_lines(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", "kind: news\ntitle: One\nsummary: s\ntitle: Two\n"))
    assert _where(err) == ("r.yaml", 4, "title")
    assert "duplicate key 'title' (first on line 2)" in err.message


def test_list_as_key_is_an_error_not_a_crash(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", GOOD + "? [a, b]\n: 1\n"))
    assert _where(err) == ("r.yaml", 3, None)


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", "- kind\n- news\n"))
    assert _where(err) == ("r.yaml", 1, None)


@pytest.mark.parametrize("name", ["r.yaml", "r.json", "c.yaml"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    content = "# only a comment\n" if name == "c.yaml" else ""
    err = _error(_write(tmp_path, name, content))
    assert _where(err) == (name, None, None)
    assert "empty" in err.message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", (GOOD + "publisher: Société\n").encode("latin-1")))
    assert _where(err) == ("r.yaml", 3, None)
    assert "UTF-8" in err.message


def test_utf8_bom_and_windows_line_ends_are_fine(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "r.yaml", "\ufeff" + GOOD.replace("\n", "\r\n")))
    assert record.title == "A title"


# --- ids ----------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["../evil", "a/b", "a..b", "Upper"])
def test_bad_id_in_the_file(tmp_path: Path, bad: str) -> None:
    err = _error(_write(tmp_path, "r.yaml", f"id: '{bad}'\n" + GOOD))
    assert _where(err) == ("r.yaml", 1, "id")
    assert "not a valid id" in err.message


def test_bad_id_from_the_file_name(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "a..b.yaml", GOOD))
    assert _where(err) == ("a..b.yaml", None, "id")
    assert "rename the file" in err.message


def test_file_name_does_not_matter_when_id_is_given(tmp_path: Path) -> None:
    assert read_record(_write(tmp_path, "Odd Name.yaml", "id: fine\n" + GOOD)).id == "fine"


def test_same_id_in_two_files_names_both(tmp_path: Path) -> None:
    first = _write(tmp_path, "sources/a/x.yaml", GOOD)
    second = _write(tmp_path, "sources/b/other.yaml", "id: x\n" + GOOD)
    with pytest.raises(InputError) as err:
        read_records(tmp_path / "sources")
    assert Path(err.value.file) == second
    assert str(first) in err.value.message
    assert err.value.field == "id"


def test_read_records_keys_by_id_and_skips_other_and_hidden_files(tmp_path: Path) -> None:
    _write(tmp_path, "sources/one.yaml", GOOD)
    _write(tmp_path, "sources/Two.JSON", '{"id": "two", "kind": "memo", "title": "T"}')
    _write(tmp_path, "sources/notes.txt", "not a record")
    _write(tmp_path, "sources/._one.yaml", b"\x00\x05\x16\x07 AppleDouble junk \xff")
    _write(tmp_path, "sources/.git/x.yaml", "not: [a record")
    records, origin = read_records(tmp_path / "sources")
    assert sorted(records) == ["one", "two"]
    assert origin["two"].name == "Two.JSON"


# --- JSON ---------------------------------------------------------------------

def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.json", '{"kind": "news",\n "title": "X",\n "tags": }\n'))
    assert _where(err) == ("r.json", 3, None)
    assert "JSON syntax error" in err.message


def test_json_duplicate_key_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.json", '{"kind": "news",\n "title": "X",\n "title": "Y"}\n'))
    assert _where(err) == ("r.json", 3, "title")
    assert "duplicate key 'title'" in err.message


def test_json_unknown_field_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.json", '{"kind": "news",\n "titel": "X"}\n'))
    assert _where(err) == ("r.json", 2, "titel")
    assert "did you mean 'title'?" in err.message


# --- Markdown records -----------------------------------------------------------

def test_markdown_body_becomes_text(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "m.md", "---\nkind: memo\ntitle: M\n---\n\nBody *text*.\n"))
    assert (record.id, record.title, record.text) == ("m", "M", "Body *text*.")


def test_markdown_with_windows_line_ends(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "m.md", "---\r\nkind: memo\r\ntitle: M\r\n---\r\nA\r\nB\r\n"))
    assert record.text == "A\nB"


def test_markdown_upper_case_suffix_is_still_markdown(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "m.MD", "---\nkind: memo\ntitle: M\n---\nBody\n"))
    assert record.text == "Body"


def test_markdown_front_matter_errors_count_lines_from_the_file(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "m.md", "---\nkind: memo\ntitel: M\n---\nBody\n"))
    assert _where(err) == ("m.md", 3, "titel")


def test_markdown_without_front_matter_is_an_error(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "m.md", "# Just a heading\n\nkind: memo\n"))
    assert _where(err) == ("m.md", 1, None)
    assert "front matter" in err.message


def test_markdown_text_given_twice_is_an_error(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "m.md", "---\nkind: memo\ntitle: M\ntext: T\n---\nBody\n"))
    assert _where(err) == ("m.md", 4, "text")


# --- control characters ---------------------------------------------------------

def test_raw_control_character_in_markdown_body_is_stripped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, "m.md", "---\nkind: memo\ntitle: M\n---\nBody\x0btext\n")
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        record = read_record(path)
    assert record.text == "Body text"
    assert f"{path}:5:" in caplog.text
    assert "U+000B" in caplog.text


@pytest.mark.parametrize(("name", "content", "line"), [
    ("r.yaml", GOOD + 'text: "a\\vb"\n', 3),
    ("r.yaml", GOOD + 'text: "a\\u000bb"\n', 3),
    ("r.json", '{"kind": "news", "title": "A title",\n "text": "a\\u000bb"}', 2),
])
def test_escaped_control_character_is_stripped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, content: str,
        line: int) -> None:
    path = _write(tmp_path, name, content)
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        record = read_record(path)
    assert record.text == "a b"
    assert f"{path}:{line}: warning: text:" in caplog.text


# --- values ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2024", "'2024'", "2024-13-01", "2024-02-30", "13/12/2024",
                                   "1700000000"])
def test_dates_must_be_iso(tmp_path: Path, value: str) -> None:
    err = _error(_write(tmp_path, "r.yaml", GOOD + f"date: {value}\n"))
    assert _where(err) == ("r.yaml", 3, "date")
    assert "YYYY-MM-DD" in err.message


@pytest.mark.parametrize(("value", "date"), [
    ("2024-12-13", dt.date(2024, 12, 13)),
    ("'2024-12-13'", dt.date(2024, 12, 13)),
    ("2024-12-13T10:30:00", dt.date(2024, 12, 13)),
])
def test_iso_dates(tmp_path: Path, value: str, date: dt.date) -> None:
    assert read_record(_write(tmp_path, "r.yaml", GOOD + f"date: {value}\n")).date == date


def test_a_date_shaped_title_stays_text(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "r.yaml", "kind: news\ntitle: 2024-12-13\n"))
    assert record.title == "2024-12-13"


def test_single_author_becomes_a_list(tmp_path: Path) -> None:
    record = read_record(_write(tmp_path, "r.yaml", GOOD + 'author: "One Name"\n'))
    assert record.author == ["One Name"]


def test_number_where_text_is_expected_says_to_quote_it(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "r.yaml", "kind: news\ntitle: 1984\n"))
    assert _where(err) == ("r.yaml", 2, "title")
    assert "quotes" in err.message


# --- briefs -------------------------------------------------------------------------------

def test_brief_typo_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.yaml", "subject: S\ndate: 2025-01-02\nsumary: x\n")
    with pytest.raises(InputError) as err:
        read_brief(path)
    assert _where(err.value) == ("b.yaml", 3, "sumary")
    assert "did you mean 'summary'?" in err.value.message


def test_brief_reads_from_and_lines(tmp_path: Path) -> None:
    brief, lines = read_brief(_write(tmp_path, "b.yaml", "subject: S\nfrom: DM\ndate: 2025-01-02\n"))
    assert (brief.id, brief.from_, brief.date) == ("b", "DM", dt.date(2025, 1, 2))
    assert lines[("date",)] == 3


# --- settings ---------------------------------------------------------------------------------

def _settings_error(tmp_path: Path, text: str) -> BriefgenError:
    with pytest.raises(InputError) as err:
        read_settings(_write(tmp_path, "briefgen.toml", text))
    return err.value


def test_missing_settings_file_gives_defaults(tmp_path: Path) -> None:
    assert read_settings(tmp_path / "briefgen.toml").citations == "footnotes"


def test_settings_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = _settings_error(tmp_path, 'department = "X"\nclassification =\n')
    assert _where(err) == ("briefgen.toml", 2, None)
    assert "TOML syntax error" in err.message


def test_settings_unknown_key_is_an_error(tmp_path: Path) -> None:
    err = _settings_error(tmp_path, 'department = "X"\ndepartmnet = "Y"\n')
    assert _where(err) == ("briefgen.toml", 2, "departmnet")
    assert "did you mean 'department'?" in err.message


def test_settings_citations_modes(tmp_path: Path) -> None:
    path = _write(tmp_path, "briefgen.toml", 'citations = "sources-list"\n')
    assert read_settings(path).citations == "sources-list"
    err = _settings_error(tmp_path, 'language = "en"\ncitations = "bogus"\n')
    assert _where(err) == ("briefgen.toml", 2, "citations")
    assert "sources-list" in err.message


def test_settings_label_language_error_names_its_table(tmp_path: Path) -> None:
    err = _settings_error(tmp_path, 'department = "X"\n\n[labels.de]\nsources = "Quellen"\n')
    assert err.line == 3
    assert err.field is not None and err.field.startswith("labels.de")


def test_other_control_characters_are_removed(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.yaml", 'kind: news\ntitle: A title\ntext: "a\\x01b\\x1fc"\n')
    assert read_record(path).text == "abc"
