"""briefgen digest: weeks, grouping, ceiling, outputs, re-runs, catch-up, lock, bad input."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from briefgen import cli
from briefgen.builder import WRITERS
from briefgen.digest.state import LOCK_FILE, STATE_FILE, Locked, lock
from briefgen.digest.periods import choose_period, last_complete_week, parse_week
from briefgen.digest.weekly import InvalidRecords, Options, excerpt, run
from briefgen.errors import InputError
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
W50 = "2024-W50"          # 9 to 15 December 2024: six records of the fixture
MONDAY_W52 = dt.date(2024, 12, 23)


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "digest", target)
    return target


def _run(root: Path, **options) -> list:
    options.setdefault("formats", ["md", "docx"])
    return run(Workspace(root), Options(**options))


def _md(root: Path, name: str = W50) -> str:
    return (root / "out" / "digests" / f"{name}.md").read_text(encoding="utf-8")


def _state(root: Path) -> dict:
    return json.loads((root / STATE_FILE).read_text(encoding="utf-8"))


def _snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    out = root / "out"
    if not out.exists():
        return {}
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file()}


# Weeks ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, since", [
    ("2024-W50", dt.date(2024, 12, 9)), ("2024w50", dt.date(2024, 12, 9)),
    ("2020-W53", dt.date(2020, 12, 28)), ("2025-W01", dt.date(2024, 12, 30)),
])
def test_iso_weeks(text: str, since: dt.date) -> None:
    period = parse_week(text)
    assert (period.since, period.until) == (since, since + dt.timedelta(days=6))
    assert period.is_week and parse_week(period.name) == period


@pytest.mark.parametrize("text, message", [
    ("2024-W60", "2024 has weeks 01 to 52"), ("2021-W53", "2021 has weeks 01 to 52"),
    ("2024-W00", "weeks 01 to 52"), ("2024-50", "not an ISO week"), ("last week", "not an ISO week"),
])
def test_invalid_weeks(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_week(text)


def test_last_complete_week() -> None:
    for today in (dt.date(2024, 12, 16), dt.date(2024, 12, 22)):      # Monday, Sunday of W51
        assert last_complete_week(today).name == W50


def test_since_until() -> None:
    today = dt.date(2024, 12, 20)
    period = choose_period(today, since="2024-12-01")
    assert (period.since, period.until, period.name) == (dt.date(2024, 12, 1), dt.date(2024, 12, 19),
                                                         "2024-12-01_2024-12-19")
    assert choose_period(today, since="2024-12-09", until="2024-12-15").name == W50
    for kwargs, message in [({"since": "2024-12-10", "until": "2024-12-01"}, "before --since"),
                            ({"until": "2024-12-01"}, "--until needs --since"),
                            ({"since": "12/01/2024"}, "not a date"),
                            ({"week": W50, "since": "2024-12-01"}, "either --week")]:
        with pytest.raises(InputError, match=message):
            choose_period(today, **kwargs)


def test_excerpt() -> None:
    assert excerpt("One. Two sentences, Mr. Smith said. Three.") == "One. Two sentences, Mr. Smith said."
    assert excerpt("First paragraph only.\n\nSecond.") == "First paragraph only."
    assert excerpt(" ".join(["word"] * 100)).endswith("word …")
    assert excerpt("") == ""


# The digest ---------------------------------------------------------------------

def test_digest_of_a_week(ws_root: Path) -> None:
    [result] = _run(ws_root, week=W50)
    assert result.records == 6 and result.left_out == 0
    md = _md(ws_root)
    assert md.startswith("**PROTECTED B**\n") and md.endswith("**PROTECTED B**\n")  # the highest
    assert "# Weekly Digest: 2024-W50" in md
    assert "Records added from 9 December 2024 to 15 December 2024** — Test Department" in md
    assert "6 records added.\nBy kind: News 1, ATIP release 1, Memo 1, Report 1, Statement 1, Statistics 1." in md
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## This Week", "## Tariffs and trade", "## border", "## energy",
                        "## Other records"]
    assert "| Tariffs and trade | 2 |\n| border | 2 |\n| energy | 1 |\n| Other records | 1 |" in md
    tariffs = md.split("## Tariffs and trade")[1].split("## border")[0]
    assert "### Tariff threat prompts talks" in tariffs and "### Memo on the northern border" in tariffs
    assert "*News, The Daily Record, 9 December 2024*" in tariffs
    assert "Officials met after the tariff threat.[^1]" in tariffs
    assert "- The threatened tariff is 25%.\n- Talks resume next week." in tariffs
    # no summary: the first two sentences of the text
    assert ("The memo reviews crossings at the northern border. It was written in Dec. 2024 by "
            "the U.S. desk.[^2]") in tariffs
    assert "A third sentence" not in md
    # record text is data: escaped, never run as a template
    assert r"### Weekly crossings \{\{ not a template \}\} \*as published\*" in md
    # one footnote per record, with the full reference
    assert md.count("\n[^") == 6
    assert "[^1]: The Daily Record, “Tariff threat prompts talks”, 9 December 2024." in md
    assert "(ATIP A-2024-00777)" in md
    assert "2023" not in md and "New administration" not in md   # other weeks


def test_classification_ceiling_counts_but_never_names(ws_root: Path) -> None:
    [result] = _run(ws_root, week=W50, max_classification="protected a")
    assert (result.records, result.left_out) == (5, 1)
    md = _md(ws_root)
    assert md.startswith("**PROTECTED A**\n")
    assert "1 record above PROTECTED A is left out of this digest." in md
    assert "threat assessment" not in md.lower() and "Intelligence Assessment" not in md
    _run(ws_root, week=W50, max_classification="UNCLASSIFIED")
    md = _md(ws_root)
    assert md.startswith("**UNCLASSIFIED**\n")
    assert "2 records above UNCLASSIFIED are left out of this digest." in md
    assert "| border |" not in md                                  # both border records were above


def test_ceiling_from_settings_and_unknown_levels(ws_root: Path) -> None:
    settings = ws_root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[digest]\n", '[digest]\nmax_classification = "PROTECTED A"\n'), encoding="utf-8")
    assert _run(ws_root, week=W50)[0].left_out == 1
    with pytest.raises(InputError, match="--max-classification: unknown classification 'SECRETISH'"):
        _run(ws_root, week=W50, max_classification="SECRETISH")


def test_docx_and_html_outputs(ws_root: Path) -> None:
    formats = ["md", "docx", "html"] if "html" in WRITERS else ["md", "docx"]
    [result] = _run(ws_root, week=W50, formats=formats)
    assert [p.name for p in result.files] == [f"{W50}.{fmt}" for fmt in formats]
    document = docx.Document(ws_root / "out" / "digests" / f"{W50}.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Weekly Digest: 2024-W50" in text and "Tariff threat prompts talks" in text
    assert document.sections[0].header.paragraphs[0].text == "PROTECTED B"
    assert document.core_properties.title == "Weekly Digest: 2024-W50"
    footnotes = [part for part in document.part.package.parts if part.partname.endswith("footnotes.xml")]
    assert footnotes and footnotes[0].blob.count(b"<w:footnote ") == 6 + 2   # + separators
    if "html" in WRITERS:
        page = (ws_root / "out" / "digests" / f"{W50}.html").read_text(encoding="utf-8")
        assert "Tariff threat prompts talks" in page and "PROTECTED B" in page


def test_default_formats_and_output_folder(ws_root: Path) -> None:
    [result] = run(Workspace(ws_root), Options(week=W50, out=Path("elsewhere")))
    expected = ["md", "docx"] + (["html"] if "html" in WRITERS else [])
    assert [p.suffix[1:] for p in result.files] == expected
    assert all(p.parent == ws_root / "elsewhere" for p in result.files)
    with pytest.raises(InputError, match="unknown format pdfx"):
        _run(ws_root, week=W50, formats=["pdfx"])


def test_an_empty_week_still_makes_a_digest(ws_root: Path) -> None:
    [result] = _run(ws_root, week="2024-W49")
    assert result.records == 0
    md = _md(ws_root, "2024-W49")
    assert "No records were added to the library this week." in md
    assert md.startswith("**UNCLASSIFIED**")


def test_french_digest(ws_root: Path) -> None:
    settings = ws_root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('language = "en"', 'language = "fr"'),
                        encoding="utf-8")
    _run(ws_root, week=W50, max_classification="PROTECTED A")
    md = _md(ws_root)
    assert md.startswith("**PROTÉGÉ A**")
    assert re.search(r"^# Condensé hebdomadaire\s?: 2024-W50$", md, re.M)  # French spacing
    assert "## Cette semaine" in md and "5 documents ajoutés." in md
    assert "1 document de niveau supérieur à PROTÉGÉ A est exclu de ce condensé." in md


def test_labels_and_template_can_be_overridden(ws_root: Path) -> None:
    settings = ws_root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '\n[labels.en]\ndigest_title = "Library Watch"\n', encoding="utf-8")
    (ws_root / "templates").mkdir()
    (ws_root / "templates" / "digest.md.j2").write_text(
        '{% extends "builtin/digest.md.j2" %}\n'
        "{% block item %}\n- **{{ item.record.title }}** {{ item.record.id | cite }}\n\n{% endblock %}\n",
        encoding="utf-8")
    _run(ws_root, week=W50)
    md = _md(ws_root)
    assert "# Library Watch: 2024-W50" in md
    assert "- **Tariff threat prompts talks**[^1]" in md
    assert "Officials met after the tariff threat." not in md


# Re-runs and state ----------------------------------------------------------------

def test_rerun_of_an_unchanged_week_rewrites_nothing(ws_root: Path) -> None:
    first = _run(ws_root, week=W50)[0]
    assert len(first.written) == 2
    state = _state(ws_root)
    entry = state["weeks"][W50]
    assert entry["files"] == [f"out/digests/{W50}.md", f"out/digests/{W50}.docx"]
    assert len(entry["hash"]) == 32 and entry["sent_at"] is None
    before = _snapshot(ws_root)
    again = _run(ws_root, week=W50)[0]
    assert again.written == []
    assert _snapshot(ws_root) == before
    assert _state(ws_root) == state                               # not even written_at moves

    memo = ws_root / "sources" / "border-memo.md"
    memo.write_text(memo.read_text(encoding="utf-8").replace("northern border", "long border"),
                    encoding="utf-8")
    changed = _run(ws_root, week=W50)[0]
    assert len(changed.written) == 2 and "Memo on the long border" in _md(ws_root)
    assert _state(ws_root)["weeks"][W50]["hash"] != entry["hash"]


def test_a_missing_file_is_written_again(ws_root: Path) -> None:
    _run(ws_root, week=W50)
    (ws_root / "out" / "digests" / f"{W50}.docx").unlink()
    result = _run(ws_root, week=W50)[0]
    assert [p.name for p in result.written] == [f"{W50}.docx"]


def test_catch_up_makes_every_missed_week(ws_root: Path) -> None:
    today = MONDAY_W52 + dt.timedelta(days=2)
    first = _run(ws_root, catch_up=True, today=today)            # no state yet: last week only
    assert [r.name for r in first] == ["2024-W51"]
    assert _state(ws_root)["last_week"] == "2024-W51"
    assert _run(ws_root, catch_up=True, today=today) == []        # nothing missed

    later = dt.date(2025, 1, 15)                                  # W03: W52, W01 and W02 missed
    results = _run(ws_root, catch_up=True, today=later)
    assert [r.name for r in results] == ["2024-W52", "2025-W01", "2025-W02"]
    assert _state(ws_root)["last_week"] == "2025-W02"
    assert sorted(p.name for p in (ws_root / "out" / "digests").glob("*.md")) == [
        "2024-W51.md", "2024-W52.md", "2025-W01.md", "2025-W02.md"]


def test_explicit_weeks_do_not_move_the_catch_up(ws_root: Path) -> None:
    _run(ws_root, catch_up=True, today=dt.date(2024, 12, 4))      # makes W48
    _run(ws_root, week="2023-W18")                                # an old week, by hand
    assert _state(ws_root)["last_week"] == "2024-W48"
    _run(ws_root, week=W50)                                       # ahead of a gap (W49)
    assert _state(ws_root)["last_week"] == "2024-W48"
    results = _run(ws_root, catch_up=True, today=MONDAY_W52)
    assert [r.name for r in results] == ["2024-W49", W50, "2024-W51"]
    assert results[1].written == []                               # W50 was already made
    assert _state(ws_root)["last_week"] == "2024-W51"


def test_catch_up_refuses_explicit_weeks(ws_root: Path) -> None:
    with pytest.raises(InputError, match="--catch-up chooses the weeks itself"):
        _run(ws_root, catch_up=True, week=W50)


@pytest.mark.parametrize("last_week, message", [
    ("2025-W01", "last_week: 2025-W01 has not ended yet (the last complete week is 2024-W51), so "
                 "no later digest would be made; set it to the last week whose digest was made"),
    ("9999-W52", "last_week: '9999-W52' is not an ISO week such as 2024-W50; set it to the last "
                 "week whose digest was made"),
    (202450, "last_week: 202450 is not an ISO week such as 2024-W50; set it to the last week "
             "whose digest was made"),
    ("2001-W01", "last_week: 2001-W01 is 1250 weeks before the last complete week, 2024-W51; "
                 "--catch-up makes at most 52 weeks in one run (each e-mailed with --email): set "
                 "last_week to a later week, or make the weeks you want with --week or --since"),
])
def test_a_last_week_out_of_bounds_stops_the_catch_up(
        ws_root: Path, monkeypatch: pytest.MonkeyPatch, last_week: object, message: str) -> None:
    (ws_root / STATE_FILE).parent.mkdir()
    (ws_root / STATE_FILE).write_text(json.dumps({"version": 1, "last_week": last_week}))
    monkeypatch.chdir(ws_root)
    with pytest.raises(InputError) as err:
        _run(ws_root, catch_up=True, today=MONDAY_W52)
    assert str(err.value) == f".briefgen/state.json: {message}"
    assert _snapshot(ws_root) == {}


def test_catch_up_makes_a_year_at_most(ws_root: Path) -> None:
    _run(ws_root, catch_up=True, today=dt.date(2023, 12, 27))            # 2023-W51
    assert len(_run(ws_root, catch_up=True, today=MONDAY_W52)) == 52     # to 2024-W51
    assert _state(ws_root)["last_week"] == "2024-W51"


def test_a_week_made_before_it_ended_does_not_move_the_catch_up(ws_root: Path) -> None:
    _run(ws_root, catch_up=True, today=MONDAY_W52)                      # W51
    _run(ws_root, week="2024-W52", today=MONDAY_W52)                    # this week, so far
    _run(ws_root, today=MONDAY_W52)
    assert _state(ws_root)["last_week"] == "2024-W51"
    later = _run(ws_root, catch_up=True, today=MONDAY_W52 + dt.timedelta(days=7))
    assert [r.name for r in later] == ["2024-W52"]


def test_digest_in_a_workspace_it_cannot_write(ws_root: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (ws_root / ".briefgen").write_text("a file where the folder should be")
    monkeypatch.chdir(ws_root)
    assert cli.main(["digest", "--week", W50]) == 2
    assert capsys.readouterr().err == (
        "briefgen: error: cannot write the digest's lock file .briefgen/digest.lock: File exists;"
        " the digest needs a writable .briefgen/ folder in the workspace\n")
    if os.geteuid() != 0:          # root writes anyway
        (ws_root / ".briefgen").unlink()
        ws_root.chmod(0o555)
        try:
            assert cli.main(["digest", "--week", W50]) == 2
            assert "Permission denied; the digest needs a writable" in capsys.readouterr().err
        finally:
            ws_root.chmod(0o755)


def test_a_damaged_state_file_stops_the_run(ws_root: Path) -> None:
    (ws_root / STATE_FILE).parent.mkdir()
    (ws_root / STATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="digest state cannot be read"):
        _run(ws_root, catch_up=True, today=MONDAY_W52)
    assert _snapshot(ws_root) == {}


# Bad input ------------------------------------------------------------------------

def _break(root: Path, count: int) -> list[str]:
    names = []
    for n in range(count):
        name = f"broken-{n}.yaml"
        (root / "sources" / name).write_text(f"kind: news\ntitle: Broken {n}\ndate: 2024-13-0{n + 1}\n",
                                             encoding="utf-8")
        names.append(name)
    return names


def test_every_invalid_file_is_named_and_nothing_is_written(ws_root: Path) -> None:
    names = _break(ws_root, 3)
    (ws_root / "sources" / "undated.yaml").write_text("kind: memo\ntitle: No dates\n", encoding="utf-8")
    with pytest.raises(InvalidRecords) as caught:
        _run(ws_root, week=W50)
    message = str(caught.value)
    assert message.startswith("4 source files cannot be used")
    assert "--skip-invalid" in message
    for name in names:
        assert f"{name}:3: date: '2024-13-0" in message
    assert "undated.yaml: added: the record has neither 'added' nor 'date'" in message
    assert _snapshot(ws_root) == {} and not (ws_root / STATE_FILE).exists()


def test_skip_invalid_makes_the_digest_and_lists_them(ws_root: Path) -> None:
    names = _break(ws_root, 2)
    [result] = _run(ws_root, week=W50, skip_invalid=True)
    assert result.records == 6 and [p.name for p in result.skipped] == names
    md = _md(ws_root)
    assert "## Files left out\n\nThese files could not be read and are not in this digest:" in md
    assert "- sources/broken-0.yaml\n- sources/broken-1.yaml" in md
    _run(ws_root, week=W50, skip_invalid=True, max_classification="PROTECTED A")
    md = _md(ws_root)                    # under a ceiling: counted, not named
    assert "2 files could not be read and are not in this digest" in md
    assert "broken-0" not in md


def test_one_invalid_record_among_many(ws_root: Path) -> None:
    """A larger library through the index: the one bad file is found and named."""
    rng_dates = [dt.date(2024, 12, 9) + dt.timedelta(days=n % 7) for n in range(300)]
    folder = ws_root / "sources" / "bulk"
    folder.mkdir()
    for n, added in enumerate(rng_dates):
        (folder / f"bulk-{n:03d}.yaml").write_text(
            f"kind: news\ntitle: Bulk record {n}\nadded: {added.isoformat()}\ntags: [bulk]\n",
            encoding="utf-8")
    (folder / "bulk-150.yaml").write_text("kind: news\ntitle: Bad\nadded: soon\n", encoding="utf-8")
    with pytest.raises(InvalidRecords) as caught:
        _run(ws_root, week=W50)
    assert str(caught.value).startswith("1 source file cannot be used")
    assert "bulk-150.yaml:3: added: 'soon' is not a date" in str(caught.value)
    [result] = _run(ws_root, week=W50, skip_invalid=True)
    assert result.records == 6 + 299


# Lock -------------------------------------------------------------------------------

def test_a_second_run_waits_for_the_first(ws_root: Path) -> None:
    with lock(ws_root / LOCK_FILE):
        with pytest.raises(Locked, match=r"another briefgen digest run \(pid \d+"):
            _run(ws_root, week=W50)
    assert _snapshot(ws_root) == {}
    assert not (ws_root / LOCK_FILE).exists()                     # released
    assert _run(ws_root, week=W50)[0].records == 6


def test_a_stale_lock_is_taken_over(ws_root: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (ws_root / LOCK_FILE).parent.mkdir()
    (ws_root / LOCK_FILE).write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename}),
                                     encoding="utf-8")
    assert _run(ws_root, week=W50)[0].records == 6
    assert not (ws_root / LOCK_FILE).exists()


def test_a_lock_from_before_a_reboot_is_stale(ws_root: Path) -> None:
    (ws_root / LOCK_FILE).parent.mkdir()
    (ws_root / LOCK_FILE).write_text(json.dumps({"pid": os.getpid(), "boot": "another-boot"}),
                                     encoding="utf-8")
    if not Path("/proc/sys/kernel/random/boot_id").exists():
        pytest.skip("no boot id on this system")
    assert _run(ws_root, week=W50)[0].records == 6


def test_the_cli_reports_a_held_lock(ws_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with lock(ws_root / LOCK_FILE):
        code = cli.main(["-C", str(ws_root), "digest", "--week", W50])
    assert code == 1
    assert "is in progress; try again when it ends" in capsys.readouterr().err


# Command line -----------------------------------------------------------------------

def test_cli_digest(ws_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-C", str(ws_root), "digest", "--week", W50, "--format", "md,docx"]) == 0
    out = capsys.readouterr().out
    assert f"{W50}.md" in out and f"{W50}.docx" in out
    assert cli.main(["-C", str(ws_root), "digest", "--week", W50, "--format", "md,docx"]) == 0
    assert f"{W50}: unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--week", "2024-W60"], "2024 has weeks 01 to 52"),
    (["--week", "W50"], "is not an ISO week"),
    (["--since", "2024-12-09", "--until", "yesterday"], "--until 'yesterday' is not a date"),
    (["--catch-up", "--week", W50], "--catch-up chooses the weeks itself"),
    (["--week", W50, "--format", "md,pdfx"], "unknown format pdfx"),
    (["--week", "9999-W52"], "--week '9999-W52' is out of range; give a week from 0001-W01"),
    (["--week", "0000-W01"], "--week '0000-W01' is out of range"),
    (["--out", "x" * 5000], ": File name too long\n"),
    (["--out", "sources"], "output folder 'sources' would mix outputs with the workspace's sources/"),
])
def test_cli_bad_input(ws_root: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                       message: str) -> None:
    assert cli.main(["-C", str(ws_root), "digest", *args]) == 2
    assert message in capsys.readouterr().err
    assert _snapshot(ws_root) == {}


def test_cli_invalid_records(ws_root: Path, capsys: pytest.CaptureFixture[str], caplog) -> None:
    _break(ws_root, 2)
    assert cli.main(["-C", str(ws_root), "digest", "--week", W50]) == 2
    err = capsys.readouterr().err
    assert "2 source files cannot be used" in err and "broken-0.yaml" in err and "broken-1.yaml" in err
    assert cli.main(["-C", str(ws_root), "digest", "--week", W50, "--skip-invalid", "--format", "md"]) == 0
    assert "broken-0.yaml" in caplog.text and "left out of the digest" in caplog.text


def test_example_workspace_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's command: the example records added in 2025-W15."""
    root = tmp_path / "example"
    assert cli.main(["init", str(root)]) == 0
    assert cli.main(["-C", str(root), "digest", "--week", "2025-W15", "--format", "md"]) == 0
    md = (root / "out" / "digests" / "2025-W15.md").read_text(encoding="utf-8")
    assert "5 records added." in md and "## Tariffs and trade" in md
    assert md.count("\n[^") == 5


def test_the_default_week_is_counted_in_the_configured_time_zone(
        ws_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import briefgen.digest.weekly as digest_module

    settings = ws_root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[digest]\n", '[digest]\ntimezone = "Pacific/Kiritimati"\n'), encoding="utf-8")
    zones = []
    real = digest_module.today_in
    monkeypatch.setattr(digest_module, "today_in", lambda zone: zones.append(zone) or real(zone))
    assert cli.main(["-C", str(ws_root), "digest", "--format", "md"]) == 0
    assert zones == ["Pacific/Kiritimati"]
    expected = last_complete_week(real("Pacific/Kiritimati")).name
    assert f"{expected}.md" in capsys.readouterr().out
    assert _state(ws_root)["last_week"] == expected


def test_an_unknown_time_zone_is_a_settings_error(ws_root: Path) -> None:
    settings = ws_root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[digest]\n", '[digest]\ntimezone = "America/Ottawa"\n'), encoding="utf-8")
    with pytest.raises(InputError, match="briefgen.toml:6: digest.timezone: unknown time zone 'America/Ottawa'"):
        Workspace(ws_root)
