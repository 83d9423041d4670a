"""docs/errors.md explains every message briefgen can print, and no message it no longer prints.

The messages are found in the source by tools/errors_doc.py (error classes,
log warnings and errors, what cli.py prints to stderr, the ValueErrors of the models).
This test is what "complete" means: it adds the messages the source builds at
run time (``DYNAMIC``) and argparse's messages (``ARGPARSE``), then compares
them with the ``### `…``` headings of docs/errors.md, both ways.

Adding an error? Run ``python tools/errors_doc.py``: it lists what the doc lacks.
"""
from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import errors_doc  # noqa: E402  (tools/ is not a package)

from briefgen.cli import main  # noqa: E402
from briefgen.errors import BriefgenError  # noqa: E402
from briefgen.models import Brief, SourceRecord  # noqa: E402
from briefgen.readers import validate  # noqa: E402

# Sites whose message is not literal text, by (module, function, message expression),
# with the templates each can print. Empty: the site passes on a message that is
# catalogued where it is made.
DYNAMIC: dict[tuple[str, str, str], tuple[str, ...]] = {
    # pydantic's report on a record, brief or briefgen.toml, as sources._explain words it;
    # other field messages are pydantic's own (docs/errors.md quotes the common ones).
    ("readers.py", "validate", "message"): (
        "unknown field; did you mean …?",
        "unknown field; known fields: …",
        "required field is missing",
        "the field is empty; give it a value",
        "expected fields written as 'name: value', found …",
        "…; put the value in quotes to keep it as written",
        "… (and … more problem… in this file)",
    ),
    # citations.unknown_key_message, also used by the unknown-citation check
    ("note/citations.py", "check_keys", "unknown_key_message(key, known)"): (
        "citation of unknown record '@…'",
        "citation of unknown record '@…'; did you mean …?",
    ),
    # a template over one of its bounds (render._over)
    ("note/render.py", "render", "_over(err.what)"): (
        "the template took longer than … s to render; look for a loop that runs too long",
        "the template ran more than … loop steps and calls; look for a loop that runs too long",
        "the template made a number too large to print; look for ** or * on large numbers",
        "the template made more than … characters of text; look for a loop that prints too "
        "much, or * or a filter on a long text",
    ),
    # ingest.Report.lines: each rejected import entry (its reason is a Rejected message)
    ("cli.py", "_sources", "line"): ("briefgen: rejected …: …",),
    # disclosure.schema.problems: a row against the portal's rules
    ("disclosure/export.py", "_check", "message"): (
        "… is given but … is not; the portal takes additional information in both languages "
        "or neither (notes received from …)",
        "required by the portal (….…): …",
        "… is not a date (YYYY-MM-DD)",
        "… is not a code the portal takes; codes: …",
        "… characters; the portal takes … at most",
        "… has a comma, which the portal does not allow in a …",
    ),
    # Passed on as made elsewhere:
    ("disclosure/rows.py", "error", "message"): (),          # Entry.error: made by its callers
    ("buildlog.py", "flush", "'%s'"): (),                    # check findings: docs/checks.md
    ("cli.py", "main", "finding"): (),                       # check findings: docs/checks.md
    ("cli.py", "_templates", "f'{problem}'"): (),            # the errors templates check found
    ("errors.py", "ChecksFailed", "summary"): (),            # "1 error, 0 warnings in 1 brief"
    ("library/index.py", "_error", "info['message']"): (),           # a record's error, kept in the index
    ("library/fetch.py", "error", "f'{self.name}: {message}'"): (),  # Loaded.error: the address first
    ("library/fetch.py", "error", "message"): (),                    # Loaded.error: the file as its place
    ("library/formats.py", "_text", "err.message"): (),               # not UTF-8 text
    ("library/formats.py", "read_csl", "err.message"): (),            # readers.load_json's limits
    ("library/add.py", "_add", "f'{option}: {err.message}'"): (),  # --option: a field message
    # unknown classification (classification.py), with where it was written
    ("digest/weekly.py", "select", "str(err)"): (),
    ("digest/weekly.py", "_ceiling", "f'{option}: {err}'"): (),
    ("digest/weekly.py", "_ceiling", "str(err)"): (),
    ("note/composer.py", "classify", "str(err)"): (),
    ("note/composer.py", "_level_of", "str(err)"): (),
    ("workspace.py", "__post_init__", "str(err)"): (),
}

# argparse's own messages for a command line it cannot read (a usage line, then
# "briefgen COMMAND: error: MESSAGE", exit status 2), each with a command line that shows it.
ARGPARSE: dict[str, list[str]] = {
    "argument …: invalid choice: … (choose from …)": ["biuld"],
    "the following arguments are required: …": ["preview"],
    "unrecognized arguments: …": ["build", "--fromat", "md"],
    "argument …: invalid … value: …": ["build", "-j", "x"],
    "argument …: expected one argument": ["build", "--format"],
    "argument …: not allowed with argument …": ["digest", "schedule", "--cron", "--systemd"],
}


def expected_templates(found: list[errors_doc.Site] | None = None) -> set[str]:
    """Every template docs/errors.md must explain."""
    found = errors_doc.sites() if found is None else found
    literal = {site.template for site in found if site.template is not None}
    return literal | {t for forms in DYNAMIC.values() for t in forms} | set(ARGPARSE)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(".*?".join(map(re.escape, template.split(errors_doc.ELLIPSIS))) + "$")


def test_every_dynamic_message_is_known() -> None:
    found = {site.key: site for site in errors_doc.sites() if site.template is None}
    new = [f"briefgen/{found[key].module}:{found[key].line}: {key}" for key in found
           if key not in DYNAMIC]
    assert not new, ("messages the source builds at run time: make them literal text, or "
                     "add them to DYNAMIC with the templates they can print:\n" + "\n".join(new))
    gone = [key for key in DYNAMIC if key not in found]
    assert not gone, f"no longer in the source; remove from DYNAMIC: {gone}"


def test_doc_explains_every_message() -> None:
    found = errors_doc.sites()
    documented = set(errors_doc.documented(errors_doc.DOC.read_text(encoding="utf-8")))
    where = {site.template: f"briefgen/{site.module}:{site.line}" for site in found}
    missing = [f"### `{t}`  ({where.get(t, 'DYNAMIC or ARGPARSE')})"
               for t in sorted(expected_templates(found) - documented)]
    assert not missing, "docs/errors.md lacks these messages:\n" + "\n".join(missing)


def test_doc_lists_no_message_the_code_lost() -> None:
    documented = set(errors_doc.documented(errors_doc.DOC.read_text(encoding="utf-8")))
    stale = sorted(documented - expected_templates())
    assert not stale, "docs/errors.md explains messages briefgen no longer prints: " + repr(stale)


def test_doc_lists_each_message_once() -> None:
    counts = Counter(errors_doc.documented(errors_doc.DOC.read_text(encoding="utf-8")))
    assert [t for t, n in counts.items() if n > 1] == []


def test_templates_read_as_the_doc_writes_them() -> None:
    """Literal text with each value as one …, on one line."""
    def template(source: str, percent: bool = False) -> str | None:
        return errors_doc.template(ast.parse(source, mode="eval").body, percent)

    assert template('f"cannot read the reference document: {err}"') == \
        "cannot read the reference document: …"
    assert template('f"--{a}{b} is required"') == "--… is required"
    assert template('"unknown classification " + repr(v) + "; known"') == \
        "unknown classification …; known"
    assert template('"%s:%d: warning: %s"', percent=True) == "…:…: warning: …"
    assert template('"100%% done"', percent=True) == "100% done"
    assert template('f"{where}: {err}"') is None and template("message") is None


@pytest.mark.parametrize("model, data", [
    (SourceRecord, {"kind": "news", "titel": "T"}),
    (SourceRecord, {"kind": "news", "title": "T", "flavour": "x"}),
    (SourceRecord, {"kind": "news"}),
    (SourceRecord, {"kind": "news", "title": None}),
    (SourceRecord, {"kind": "news", "title": "T", "quotes": ["words"]}),
    (SourceRecord, {"kind": "news", "title": 2025}),
    (Brief, {"subject": "S", "date": "2025-04-10", "sumary": "x", "talking_point": []}),
])
def test_field_messages_have_documented_forms(model: type, data: dict) -> None:
    with pytest.raises(BriefgenError) as caught:
        validate(model, {"id": "x", **data}, Path("x.yaml"), {})
    forms = DYNAMIC[("readers.py", "validate", "message")]
    assert any(_pattern(form).match(caught.value.message) for form in forms), caught.value.message


@pytest.mark.parametrize("template", sorted(ARGPARSE))
def test_argparse_messages_are_real(template: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(ARGPARSE[template])
    assert caught.value.code == 2
    last = capsys.readouterr().err.rstrip("\n").splitlines()[-1]
    message = re.sub(r"^briefgen( [a-z-]+)*: error: ", "", last)
    assert _pattern(template).match(message), last
