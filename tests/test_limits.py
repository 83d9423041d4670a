"""A template cannot hang a build or fill the memory: time, steps and text are bounded,
and going over says which template and line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.errors import TemplateError
from briefgen.note import limits
from briefgen.note.composer import compose
from briefgen.workspace import Workspace

HEAD = '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}{{ super() }}\n'


def _template(ws: Path, line: str) -> Path:
    """A workspace briefing-note template whose line 3 is ``line``."""
    (ws / "templates").mkdir(exist_ok=True)
    path = ws / "templates/briefing-note.md.j2"
    path.write_text(HEAD + line + "\n{% endblock %}\n", encoding="utf-8")
    return path


def _error(ws: Path, line: str) -> TemplateError:
    _template(ws, line)
    with pytest.raises(TemplateError) as err:
        compose(Workspace(ws), ws / "briefs/note.yaml")
    assert Path(err.value.file).name == "briefing-note.md.j2"
    assert err.value.line == 3
    return err.value


SIZE = "made more than 20,000,000 characters of text"


@pytest.mark.parametrize("line", [
    "{{ 'x' * 10**10 }}",
    "{{ 'x' * 100000 * 100000 }}",
    "{{ [1] * 10**9 }}",
    "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{{ 'x' | center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ ('x' * 1000000) | replace('x', 'y' * 1000) }}",
    "{{ ('x' * 1000000).replace('x', 'y' * 1000) }}",
    "{{ ('a\\n' * 1000000) | indent(1000) }}",
    "{{ '%999999999d' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '%999999999d' | format(1) }}",
])
def test_text_too_large(workspace: Path, line: str) -> None:
    assert SIZE in _error(workspace, line).message


def test_number_too_large(workspace: Path) -> None:
    message = _error(workspace, "{{ 10 ** 100000 }}").message
    assert "number too large" in message


def test_printing_too_much_in_a_loop(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "CHARACTERS", 10_000)
    assert "made more than 10,000 characters" in _error(
        workspace, "{% for i in range(100000) %}{{ i }}{% endfor %}").message
    # literal text in a loop counts too, also where a macro gathers it before printing
    assert "made more than 10,000 characters" in _error(
        workspace, "{% macro m() %}{% for i in range(100000) %}abcdef{% endfor %}{% endmacro %}"
                   "{{ m() }}").message
    # and so does what an included template prints, each time a loop includes it
    (workspace / "templates/_part.md.j2").write_text("abcdef " * 100, encoding="utf-8")
    assert "made more than 10,000 characters" in _error(
        workspace, '{% for i in range(100000) %}{% include "_part.md.j2" %}{% endfor %}').message


@pytest.mark.parametrize("line", [
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for c in 'x' * 100000 %}{% for d in 'y' * 100000 %}{% endfor %}{% endfor %}",
])
def test_loops_that_run_too_long(workspace: Path, monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    monkeypatch.setattr(limits, "STEPS", 50_000)
    assert "ran more than 50,000 loop steps and calls" in _error(workspace, line).message


def test_rendering_that_takes_too_long(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SECONDS", 0)
    message = _error(workspace, "{% for i in range(5000) %}{% endfor %}").message
    assert message.startswith("the template took longer than 0 s to render")


def test_ordinary_templates_are_not_held_back(workspace: Path) -> None:
    _template(workspace, "{{ range(3) | list | join(', ') }} {{ range(10) | length }} "
                         "{{ '{:,}'.format(123456789) }} {{ 'ab' * 3 }} {{ 2 ** 10 }} "
                         "{% for k, v in {'a': 1} | dictsort %}{{ k }}{{ v }}{% endfor %} "
                         "{% for i in [1, 2, 3] %}{{ loop.index }}/{{ loop.length }}{% endfor %}")
    body = compose(Workspace(workspace), workspace / "briefs/note.yaml").body
    assert "0, 1, 2 10 123,456,789 ababab 1024 a1 1/32/33/3" in body


def test_the_cli_says_which_template_and_line_every_run(workspace: Path) -> None:
    """The second run loads the compiled template from Jinja's cache: still bounded."""
    _template(workspace, "{{ 'x' * 10**10 }}")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "md"],
                                cwd=workspace, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert f"templates/briefing-note.md.j2:3: the template {SIZE}" in result.stderr
        assert "Traceback" not in result.stderr and not (workspace / "out").exists()
