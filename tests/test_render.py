"""Templates: sandbox, escaping of record text, overrides, template errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.errors import InputError, TemplateError
from briefgen.note.composer import compose
from briefgen.note.render import Markdown, environment, md_escape
from briefgen.workspace import Workspace


@pytest.mark.parametrize(("text", "escaped"), [
    ("plain words", "plain words"),
    ("a_b *c* [@x]", r"a\_b \*c\* \[@x\]"),
    ("{{ 7 * 7 }}", r"\{\{ 7 \* 7 \}\}"),
    ("# not a heading", r"\# not a heading"),
    ("1. not a list", r"1\. not a list"),
    ("- not a bullet", r"\- not a bullet"),
    ("> not a quote", "&gt; not a quote"),
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("A & B &amp; C", "A & B &amp;amp; C"),
    ("3 < 4", "3 < 4"),
    ("a|b", r"a\|b"),
])
def test_md_escape(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


def _write(ws: Path, name: str, text: str) -> None:
    (ws / "templates").mkdir(exist_ok=True)
    (ws / "templates" / name).write_text(text, encoding="utf-8")


def test_record_text_is_data_not_markup(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2",
           '{% extends "builtin/briefing-note.md.j2" %}\n'
           "{% block summary %}{{ records['memo-text'].text }} / {{ records['memo-text'].title }}"
           "{% endblock %}\n")
    body = compose(Workspace(workspace), workspace / "briefs/note.yaml").body
    assert r"Body with \{\{ not\_a\_variable \}\} and &lt;script>alert(1)&lt;/script> and \*stars\*." in body
    assert r"Internal memo on \{\{ template \}\} syntax" in body


def test_override_replaces_one_block(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2",
           '{% extends "builtin/briefing-note.md.j2" %}\n'
           "{% block summary %}## In Brief\n\n{{ brief.summary }}\n{% endblock %}\n")
    body = compose(Workspace(workspace), workspace / "briefs/note.yaml").body
    assert "## In Brief\n\nOfficials met on the border.[^1]" in body
    assert "## Summary" not in body
    assert "## Background" in body  # the other blocks are the built-in ones


def test_sandbox_blocks_unsafe_attributes(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2", "line one\n{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(TemplateError) as err:
        compose(Workspace(workspace), workspace / "briefs/note.yaml")
    assert err.value.line == 2
    assert str(err.value.file).endswith("briefing-note.md.j2")


def test_syntax_error_names_template_line(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2", "ok\n\n{% if %}\n")
    with pytest.raises(TemplateError) as err:
        compose(Workspace(workspace), workspace / "briefs/note.yaml")
    assert err.value.line == 3
    assert "syntax" in str(err.value)


def test_undefined_variable_is_an_error(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2", "{{ brief.summary }}\n{{ no_such_thing }}\n")
    with pytest.raises(TemplateError) as err:
        compose(Workspace(workspace), workspace / "briefs/note.yaml")
    assert "no_such_thing" in str(err.value)
    assert err.value.line == 2


def test_unknown_note_type_is_a_clear_error(workspace: Path) -> None:
    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text().replace("type: briefing-note", "type: scenario-note"))
    with pytest.raises(InputError, match=r"type: unknown note type 'scenario-note'; known types: "
                       r"briefing-note, decision-note, .*templates/scenario-note\.md\.j2"):
        compose(Workspace(workspace), brief)


def test_macro_output_is_not_escaped_again() -> None:
    env = environment(None)
    text = env.from_string('{% import "builtin/_macros.md.j2" as m %}{{ m.bullets(items) }}').render(
        items=[Markdown("**bold**"), "a_b"])
    assert "- **bold**" in text and r"- a\_b" in text


def test_english_dates_match_babel_en_ca() -> None:
    import datetime as dt

    from babel.dates import format_date as babel_date

    from briefgen.note.render import format_date

    for offset in range(0, 366, 7):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=offset)
        assert format_date(day, "en") == babel_date(day, "d MMMM y", locale="en_CA")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_extends_of_a_missing_built_in_names_the_line_that_asks(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2", '{# mine #}\n{% extends "builtin/briefing-notes.md.j2" %}\n')
    result = _cli("build", "--format", "md", cwd=workspace)
    assert result.returncode == 2
    assert result.stderr.endswith(
        "briefgen: error: templates/briefing-note.md.j2:2: template 'builtin/briefing-notes.md.j2' "
        "not found; did you mean 'builtin/briefing-note.md.j2'?\n")


def test_include_of_a_missing_template_names_the_line_that_asks(workspace: Path) -> None:
    _write(workspace, "briefing-note.md.j2", 'one\ntwo\n{% include "nothing-like-it.md.j2" %}\n')
    with pytest.raises(TemplateError) as err:
        compose(Workspace(workspace), workspace / "briefs/note.yaml")
    assert (Path(err.value.file).name, err.value.line) == ("briefing-note.md.j2", 3)
    assert err.value.message == "template 'nothing-like-it.md.j2' not found"


@pytest.mark.parametrize(("make", "reason"), [
    (lambda folder: folder.write_text("not a folder\n"), "Not a directory"),
    (lambda folder: folder.symlink_to(folder.name), "Too many levels of symbolic links"),
])
def test_a_templates_folder_that_cannot_be_read_is_one_line(workspace: Path, make, reason: str) -> None:
    make(workspace / "templates")
    result = _cli("build", "--format", "md", cwd=workspace)
    assert result.returncode == 2
    assert result.stderr == f"briefgen: error: templates: cannot read the templates folder: {reason}\n"
    assert not (workspace / "out").exists()


def test_a_misspelled_label_in_the_settings_is_a_warning_once(workspace: Path) -> None:
    (workspace / "briefs/other.yaml").write_text("subject: S\ndate: 2025-01-02\n", encoding="utf-8")
    with open(workspace / "briefgen.toml", "a", encoding="utf-8") as settings:
        settings.write('\n[labels.en]\nnxt_steps = "Then"\nscenario_title = "Scenario"\n'
                       'summary = "In Short"\n')
    result = _cli("build", "--format", "md", cwd=workspace)
    assert result.returncode == 0, result.stderr
    warning = "briefgen.toml: warning: [labels.en] unknown label 'nxt_steps'; did you mean 'next_steps'?"
    assert result.stderr.count(warning) == 1
    assert "scenario_title" not in result.stderr       # a label of the workspace's own templates
    assert "## In Short" in (workspace / "out/note.md").read_text(encoding="utf-8")
