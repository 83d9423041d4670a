"""User mistakes end in one clear line (file:line: field: message), never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.errors import BriefgenError, InputError
from briefgen.models import Brief, SourceRecord
from briefgen.readers import read_text, validate


def briefgen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("expression, message", [
    ("1 / 0", "template error: division by zero"),
    ("brief.subject + 1", 'template error: can only concatenate str (not "int") to str'),
    ("'Not An Id' | cite", "template error: 'Not An Id' is not a record id"),
    ("5 | join_and", "template error: 'int' object is not iterable"),
])
def test_a_failing_filter_or_operator_names_the_template_line(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        expression: str, message: str) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates/briefing-note.md.j2").write_text(
        '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}\n'
        f"{{{{ {expression} }}}}\n{{% endblock %}}\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    code, err = briefgen(capsys, "build")
    assert (code, err) == (2, f"briefgen: error: templates/briefing-note.md.j2:3: {message}\n")
    code, err = briefgen(capsys, "templates", "check")
    assert (code, err) == (1, f"templates/briefing-note.md.j2:3: {message}\n")   # once


def test_showing_reference_docx_says_it_is_a_word_document(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(workspace)
    assert briefgen(capsys, "templates", "reference-docx")[0] == 0
    code, err = briefgen(capsys, "templates", "show", "reference.docx")
    assert (code, err) == (2, "briefgen: error: templates/reference.docx: a Word document, "
                              "not text: open it in Word or LibreOffice\n")


def test_files_that_cannot_be_written_are_errors(
        tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder\n")
    code, err = briefgen(capsys, "init", "taken")
    assert (code, err) == (2, "briefgen: error: taken: cannot create the workspace: File exists\n")
    code, err = briefgen(capsys, "-C", str(workspace), "templates", "reference-docx",
                         "taken/reference.docx")
    assert code == 2 and err.startswith("briefgen: error: taken/reference.docx: cannot write the file: ")
    code, err = briefgen(capsys, "-C", str(workspace), "build", "--out", "briefgen.toml")
    assert code == 2 and "cannot write output: File exists" in err and "[Errno" not in err


def test_a_file_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(InputError, match="cannot read the file: ") as err:
        read_text(tmp_path / "folder.yaml")
    assert err.value.file == tmp_path / "folder.yaml"


def test_a_failed_brief_is_named_once(workspace: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "briefs/bad.yaml").write_text("subject: No date\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    code, err = briefgen(capsys, "build", "--keep-going", "--no-check")
    assert code == 1
    assert "briefgen: failed: briefs/bad.yaml: date: required field is missing\n" in err


@pytest.mark.parametrize("data, message", [
    ({"kind": "news", "title": None}, "title: the field is empty; give it a value"),
    ({"kind": "news", "title": "T", "quotes": ["words"]},
     "quotes.0: expected fields written as 'name: value', found text"),
    ({"kind": "news", "title": "T", "tags": {"a": 1}}, "tags: Input should be a valid list"),
])
def test_field_messages_in_plain_words(data: dict, message: str) -> None:
    with pytest.raises(BriefgenError) as err:
        validate(SourceRecord, {"id": "r", **data}, Path("r.yaml"), {})
    assert str(err.value).startswith(f"r.yaml: {message}")
    assert "instance of" not in str(err.value)


def test_an_empty_required_date_says_it_is_empty() -> None:
    with pytest.raises(BriefgenError, match="date: the field is empty; give it a value"):
        validate(Brief, {"id": "b", "subject": "S", "date": None}, Path("b.yaml"), {})


def test_a_record_file_that_is_a_list(workspace: Path) -> None:
    (workspace / "sources/list.yaml").write_text("- kind: news\n- title: T\n", encoding="utf-8")
    from briefgen.readers import read_record

    with pytest.raises(InputError, match="expected fields written as 'name: value', found a list"):
        read_record(workspace / "sources/list.yaml")


def test_the_digest_counts_files_not_problems(workspace: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("twin-a", "twin-b"):      # each: a shared id, and no date
        (workspace / f"sources/{name}.yaml").write_text("id: twin\nkind: news\ntitle: T\n")
    monkeypatch.chdir(workspace)
    code, err = briefgen(capsys, "digest", "--week", "2025-W10")
    assert code == 2
    assert err.startswith("briefgen: error: 2 source files cannot be used; fix them")
    assert err.count("\n  sources/twin-") == 4        # each problem on its own line


def test_keep_going_shows_the_check_errors_that_failed_a_brief(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    (workspace / "briefs/quote.yaml").write_text(
        'subject: Q\ndate: 2025-04-10\nsummary: \'The memo said "never, ever" [@memo-text].\'\n',
        encoding="utf-8")
    monkeypatch.chdir(workspace)
    code, err = briefgen(capsys, "-q", "build", "--keep-going")
    assert code == 1
    shown = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]   # even with -q
    assert any(m.startswith("briefs/quote.yaml:3:") and "error[misquote]" in m for m in shown)
    assert "briefgen: failed: briefs/quote.yaml: 1 error, 0 warnings in 1 brief" in err
