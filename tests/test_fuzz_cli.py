"""The command line over mutated inputs: every run ends in an exit status, never a traceback.

Each example copies the example workspace, damages one file (a brief, a record,
briefgen.toml or a template) the way a careless or hostile user might, then runs
``build``, ``check``, ``sources list`` and ``digest`` in process. A traceback
would escape :func:`briefgen.cli.main` as an exception, or be printed. CI runs a
fixed seed and a bounded number of examples (profiles in conftest.py); more with
``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz_cli.py``.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.note.render import builtin_templates
from briefgen.workspace import examples_dir

BRIEFS = ["border-cooperation", "border-cooperation-fr", "border-qp-fr"]
TARGETS = ["briefs/border-cooperation.md", "briefs/border-cooperation-fr.yaml",
           "briefs/border-qp-fr.md",
           "sources/cbp-northern-border-fentanyl-migration.yaml",
           "sources/gac-memo-us-election-outcomes.yaml", "briefgen.toml",
           "templates/briefing-note.md.j2", "templates/digest.md.j2"]
# What a value or a line can become: YAML tags and aliases, odd text, deep or huge values.
YAML = ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!int abc",
        "!!float abc", "!!bool maybe", "!!map x", "!!seq x", "!!binary '%%%'",
        "!!timestamp yesterday", "!!set {a, b}", "!!omap [a]", "!custom x", "!!str", "!!null x",
        "&a [x, *a]", "&a {k: *a}", "*nowhere", "&a x", "<<: *a", "[&b [1, 2], *b, *b]",
        "&a [1, 2]\nother: [*a, *a, *a]", "? [complex, key]\n: value", "1: one", "~: none",
        "9" * 5000, "1e999999", "-0x1F", "0o777", ".inf", "2025-02-30", "9999-12-31",
        "[" * 2000 + "]" * 2000, "{a: " * 300 + "1" + "}" * 300, "- " * 200 + "x",
        "'unterminated", '"\\x00\\ud800"', "|\n  block\n text", ">-", "---", "...", "%YAML 1.1",
        "\t", "\ufeff", "\u202e", "\x85", "\u2028", "\x00", "مرحبا", "🇨🇦" * 50, "x" * 20000]
TOML = ['x = "\\r\\n"', "[labels.en]\nsummary = 5", "[[smtp]]", "classification_levels = []",
        'language = "de"', "[digest]\ntimezone = \"Mars/Base\"", "port = 99999999999999999999",
        "[check]\ntalking_points_max = -1", "a = {b = {c = {d = 1}}}", "= x", "[[[", "x = 1e999"]
JINJA = ["{{", "{%", "{% endblock %}", "{{ undefined.attribute.deeper }}", "{{ 1 / 0 }}",
         "{{ brief.subject | cite }}", "{{ 'nope' | cite }}", "{% extends 'missing.md.j2' %}",
         "{% include 'builtin/nothing.md.j2' %}", "{{ ''.__class__.__mro__ }}",
         "{{ brief.__init__.__globals__ }}", "{% for x in brief %}{{ x }}{% endfor %}",
         "{{ 'x' * 3 }}", "{% macro m() %}{{ m() }}{% endmacro %}", "{# open comment",
         "{{ brief.talking_points[999] }}", "{% raw %}", "{{ lipsum() }}", "{% set x = {} %}"]
payload = st.one_of(st.sampled_from(YAML + TOML + JINJA), st.text(max_size=30))
COMMANDS = [["build", *BRIEFS, "--format", "md,docx", "--out", "fuzzed"], ["check", *BRIEFS],
            ["sources", "list"], ["digest", "--week", "2025-W15", "--format", "md"]]


def _workspace() -> Path:
    root = Path(tempfile.mkdtemp(prefix="briefgen-cli-fuzz-"))
    for name in ("briefgen.toml", "sources", "briefs"):
        source = examples_dir() / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    (root / "templates").mkdir()
    for name in ("briefing-note.md.j2", "digest.md.j2"):
        shutil.copyfile(builtin_templates() / name, root / "templates" / name)
    return root


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, str, int, int]:
    """(file, payload, where, how): how 0 replaces a value, 1 inserts, 2 truncates."""
    return (draw(st.sampled_from(TARGETS)), draw(payload), draw(st.integers(0, 10_000)),
            draw(st.integers(0, 2)))


def _apply(text: str, text_in: str, where: int, how: int) -> str:
    if how == 2:
        return text[:where % (len(text) + 1)]
    lines = text.splitlines(keepends=True) or [""]
    index = where % len(lines)
    line = lines[index]
    if how == 0 and ": " in line:
        lines[index] = f"{line[:line.index(': ') + 2]}{text_in}\n"
    else:
        cut = where % (len(line) + 1)
        lines[index] = line[:cut] + text_in + line[cut:]
    return "".join(lines)


def _run(root: Path, args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["-C", str(root), "-q", *args])
    return code, out.getvalue() + err.getvalue()


@given(damages=st.lists(damage(), min_size=1, max_size=3))
def test_damaged_inputs_never_give_a_traceback(damages: list[tuple[str, str, int, int]]) -> None:
    root = _workspace()
    try:
        for name, text_in, where, how in damages:
            path = root / name
            try:
                path.write_text(_apply(path.read_text(encoding="utf-8"), text_in, where, how),
                                encoding="utf-8")
            except UnicodeEncodeError:          # a lone surrogate cannot be saved as UTF-8
                path.write_bytes(_apply(path.read_text(encoding="utf-8"), "", where, how)
                                 .encode() + text_in.encode("utf-8", "surrogatepass"))
        for args in COMMANDS:
            code, output = _run(root, args)
            assert code in (0, 1, 2), (args, code, output)
            assert "Traceback" not in output, (args, output)
    finally:
        shutil.rmtree(root, ignore_errors=True)
