"""Hostile YAML: alias bombs, odd tags, values YAML cannot build. Each ends in one
line naming file, line and field, from every command that reads YAML."""
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.errors import InputError
from briefgen.readers import parse_yaml


def _bomb(levels: int = 9, width: int = 9) -> str:
    """Nine levels of nine aliases: hundreds of millions of values once expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


BOMB = _bomb()


def _limited() -> None:
    """A child that would expand the bomb runs out of memory fast instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, preexec_fn=_limited,
                          env={**os.environ, **env})


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, Path("f.yaml"))
    return caught.value


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    (BOMB, 5, "a4", "YAML aliases (*name) repeat more than 10000 values"),
    ("a: &x [1, *x]\n", 1, "a.1", "refers to the value that holds it"),
    ("title: x\npages: !!int abc\n", 2, "pages", "'abc' cannot be read as a whole number (YAML tag !!int)"),
    ("quotes:\n  - n: !!float abc\n", 2, "quotes.0.n", "'abc' cannot be read as a number (YAML tag !!float)"),
    ("ok: !!bool maybe\n", 1, "ok", "'maybe' cannot be read as true or false (YAML tag !!bool)"),
    ("title: !!map x\n", 1, "title", "the YAML tag !!map cannot mark a single value"),
    ("pages: " + "9" * 5000 + "\n", 1, "pages", "a number of more than 100 characters"),
    ("pages: 0x" + "f" * 5000 + "\n", 1, "pages", "a number of more than 100 characters"),
    ("base: &b {kind: news}\nrec:\n  <<: *b\n", 3, None, "the merge key '<<' is not supported"),
    ("title: x\n1: y\n", 2, None, "the key '1' is read as a number"),
    ("~: y\n", 1, None, "the key '~' is read as empty (null)"),
    ("t: !!python/object/apply:os.system [ls]\n", 1, "t", "the YAML tag !!python/object"),
    ("t: !!binary aGk=\n", 1, "t", "the YAML tag !!binary is not allowed"),
    ("t: !!set {a}\n", 1, "t", "the YAML tag !!set is not allowed"),
    ("t: !custom x\n", 1, "t", "the YAML tag !custom is not allowed"),
    ("t: " + "[" * 500 + "]" * 500 + "\n", 1, None, "nest more than 100 levels deep"),
])
def test_hostile_yaml_is_one_located_error(text: str, line: int, field: str | None,
                                           message: str) -> None:
    err = _error(text)
    assert message in err.message
    assert (err.file, err.line, err.field) == (Path("f.yaml"), line, field)


def test_plain_yaml_and_small_aliases_still_read() -> None:
    data, lines = parse_yaml("a: &x [1, 2]\nb: *x\nc: 2024-01-02\nd: yes\ne: 1.5\nf: 0x1F\n"
                             "'1': quoted key\n", Path("f.yaml"))
    assert data == {"a": [1, 2], "b": [1, 2], "c": "2024-01-02", "d": True, "e": 1.5, "f": 31,
                    "1": "quoted key"}
    assert lines[("b",)] == 2


def test_front_matter_lines_count_from_the_file() -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml("title: x\npages: !!int abc\n", Path("f.md"), line_offset=1)
    assert caught.value.line == 3


# Every command that reads YAML ------------------------------------------------------

def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("args", [["build"], ["check"], ["sources", "show", "bomb"],
                                  ["digest", "--week", "2025-W01"]])
def test_a_bomb_record_is_refused_by_every_command(workspace: Path, args: list[str]) -> None:
    (workspace / "sources/bomb.yaml").write_text("kind: news\ntitle: T\n" + BOMB, encoding="utf-8")
    result = run(*args, cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert "sources/bomb.yaml:7: a4: YAML aliases (*name) repeat more than" in result.stderr


@pytest.mark.parametrize("args", [["sources", "list"], ["sources", "search", "border"]])
def test_library_commands_leave_a_bomb_out_with_a_warning(workspace: Path, args: list[str]) -> None:
    (workspace / "sources/bomb.md").write_text("---\nkind: news\ntitle: T\n" + BOMB + "---\nBody\n",
                                               encoding="utf-8")
    result = run(*args, cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "sources/bomb.md:8: a4: YAML aliases" in result.stderr and "(left out)" in result.stderr
    assert "border" in result.stdout.lower()


def test_a_bomb_brief_is_refused(workspace: Path) -> None:
    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + BOMB, encoding="utf-8")
    for args in (["build"], ["check"], ["build", "-j", "2"]):
        result = run(*args, cwd=workspace)
        _no_traceback(result)
        assert "briefs/note.yaml:" in result.stderr and "YAML aliases" in result.stderr
        assert result.returncode in (1, 2)          # -j reports each failed brief: exit 1


def test_a_bomb_in_an_imported_article_and_a_template_schema(workspace: Path) -> None:
    article = workspace / "article.md"
    article.write_text("---\ntitle: T\n" + BOMB + "---\nSome text.\n", encoding="utf-8")
    result = run("sources", "import", str(article), cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 2 and "article.md:7: a4: YAML aliases" in result.stderr
    (workspace / "templates").mkdir()
    (workspace / "templates/briefing-note.schema.yaml").write_text("required: []\n" + BOMB,
                                                                  encoding="utf-8")
    result = run("build", cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 2 and "briefing-note.schema.yaml:6: a4" in result.stderr


def test_a_bomb_written_in_the_editor(workspace: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\ndraft = pathlib.Path(sys.argv[1])\n"
                      "if '# error:' not in draft.read_text():\n"
                      f"    draft.write_text('kind: news\\ntitle: T\\n' + {BOMB!r})\n",
                      encoding="utf-8")
    result = run("sources", "add", "--edit", cwd=workspace, EDITOR=f"{sys.executable} {editor}",
                 VISUAL="")
    _no_traceback(result)
    # the draft reopens with the error on top; saved as it was, that error ends the command
    assert result.returncode == 2 and "line 8: a4: YAML aliases" in result.stderr


# Values YAML cannot build --------------------------------------------------------

def test_a_bad_tag_in_a_record_is_one_line_everywhere(workspace: Path) -> None:
    (workspace / "sources/bad.yaml").write_text("kind: news\ntitle: T\npages: !!int abc\n",
                                                encoding="utf-8")
    expected = "sources/bad.yaml:3: pages: 'abc' cannot be read as a whole number (YAML tag !!int)"
    for args, code in ((["build"], 2), (["check"], 2), (["build", "-j", "2"], 1)):
        result = run(*args, cwd=workspace)
        _no_traceback(result)
        assert result.returncode == code and expected in result.stderr, result.stderr
    listed = run("sources", "list", cwd=workspace)
    _no_traceback(listed)
    assert listed.returncode == 0 and f"{expected} (left out)" in listed.stderr
    assert "news-article" in listed.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("[" * 100_000 + "]" * 100_000, "lists and fields nest more than 100 levels deep"),
    ('{"kind": "news", "title": "T", "pages": ' + "9" * 5000 + "}",
     "a number of more than 100 characters; put it in quotes to keep it as text"),
])
def test_json_records_have_the_same_limits(workspace: Path, content: str, message: str) -> None:
    (workspace / "sources/deep.json").write_text(content, encoding="utf-8")
    result = run("build", cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 2
    assert result.stderr == f"briefgen: error: sources/deep.json: {message}\n"


def test_a_bomb_in_a_markdown_brief_front_matter(workspace: Path) -> None:
    (workspace / "briefs/note.yaml").unlink()
    (workspace / "briefs/note.md").write_text(
        "---\nsubject: S\ndate: 2025-04-10\n" + BOMB + "---\n\n## Summary\n\nText.\n",
        encoding="utf-8")
    for args in (["build"], ["check"]):
        result = run(*args, cwd=workspace)
        _no_traceback(result)
        assert result.returncode == 2
        assert "briefs/note.md:8: a4: YAML aliases (*name) repeat more than" in result.stderr


def test_a_digest_state_nested_too_deep_is_one_line(workspace: Path) -> None:
    (workspace / ".briefgen").mkdir(exist_ok=True)
    (workspace / ".briefgen/state.json").write_text("[" * 100_000 + "]" * 100_000,
                                                   encoding="utf-8")
    result = run("digest", "--week", "2025-W01", cwd=workspace)
    _no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.startswith("briefgen: error: .briefgen/state.json: the digest state "
                                    "cannot be read (maximum recursion depth exceeded")
