"""A department's year of notes: 1,800 briefs over a few thousand records, built, rebuilt, beside Pandoc.

Run from anywhere, with briefgen installed (``pip install -e '.[bench]'`` for Pandoc):

    python bench/year.py                # 1,800 notes, 2,700 records
    python bench/year.py --notes 5000   # the memory target's size
    python bench/year.py --small        # 20 notes: a quick run (what the tests run)

It generates a workspace in a temp folder, the same for the same arguments (fixed
seed): ``briefgen init``'s settings and templates, the five note types in English
and French made from the example briefs (their subjects, tracking numbers, dates
and an added paragraph varied), each citing copies of the example records (their
titles, dates and text varied; quotes kept, so every citation and quote checks out).
Then, in this one run, each as a fresh ``briefgen -q build`` process (md + docx,
checks on):

- clean build, ``-j`` auto (``--force`` too where the build offers it): wall time,
  CPU seconds of every process (the wait4 usage of the build and the workers it
  waited for), peak RSS;
- rebuild with nothing changed: wall time, and how many output files were
  rewritten (a file counts as rewritten when its inode or mtime changed);
- rebuild after one record changed: wall time, files rewritten, against the files
  of the notes that cite that record;
- Pandoc, one process per file, on a sample of 100 of the Markdown notes briefgen
  wrote (Markdown -> DOCX with the same reference.docx), against ``briefgen build -j 2``.

Peak RSS is shown two ways: ``all processes`` is the largest sum of the RSS of the
build and its workers, sampled from /proc every 20 ms (Linux), the memory the run
holds at once; ``largest process`` is wait4's ru_maxrss, the largest single process.
The targets are for 1,800 notes on 2 idle cores (memory: 5,000 notes at -j 2).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from batch import Run, briefgen_command, mb, measure, verdict  # noqa: E402 - same process tools

from briefgen.builder import reference_docx  # noqa: E402
from briefgen.cpus import usable_cpus  # noqa: E402
from briefgen.workspace import Workspace, init  # noqa: E402

SEED = 2025
NOTES, SMALL_NOTES = 1800, 20
RECORDS_PER_NOTE = 1.5
SAMPLE, SMALL_SAMPLE = 100, 5
TARGET_CLEAN_S = 20.0           # 1,800 notes, -j auto on 2 idle cores
TARGET_CLEAN_CPU_S = 25.0
TARGET_NOOP_S = 1.0
TARGET_RATIO = 6.0              # -j 2 notes/s over Pandoc files/s
TARGET_RSS_MB = 200.0           # 5,000 notes, -j 2, every process
WORDS = {
    "en": {"who": ["Officials", "Regional staff", "Partner agencies", "Analysts", "Border teams"],
           "verb": ["continue to monitor", "are reviewing", "have discussed", "will report on",
                    "are assessing"],
           "what": ["crossings at smaller ports of entry", "information sharing with partners",
                    "the effects of the tariffs on trade", "staffing at the busiest crossings",
                    "cooperation on enforcement", "the outlook for cross-border travel"],
           "when": ["this month", "this quarter", "before the next meeting", "in the coming weeks"],
           "topic": ["Ports of entry", "Trade corridors", "Enforcement", "Travel", "Northern border",
                     "Information sharing"]},
    "fr": {"who": ["Les fonctionnaires", "Le personnel régional", "Les organismes partenaires",
                   "Les analystes", "Les équipes frontalières"],
           "verb": ["continuent de suivre", "examinent", "ont discuté de", "feront rapport sur",
                    "évaluent"],
           "what": ["les passages aux petits points d’entrée", "l’échange d’information",
                    "les effets des droits de douane sur le commerce",
                    "les effectifs aux passages les plus achalandés",
                    "la coopération en matière d’application de la loi",
                    "les perspectives des voyages transfrontaliers"],
           "when": ["ce mois-ci", "ce trimestre", "avant la prochaine rencontre",
                    "dans les semaines à venir"],
           "topic": ["Points d’entrée", "Corridors commerciaux", "Application de la loi", "Voyages",
                     "Frontière nord", "Échange d’information"]},
}


# -- the workspace ------------------------------------------------------------------------

def sentence(rng: random.Random, lang: str, key: str | None = None) -> str:
    words = WORDS[lang]
    text = (f"{rng.choice(words['who'])} {rng.choice(words['verb'])} {rng.choice(words['what'])} "
            f"{rng.choice(words['when'])}")
    return f"{text} [@{key}]." if key else f"{text}."


def make_records(root: Path, count: int, rng: random.Random) -> dict[str, list[str]]:
    """``count`` copies of the example records, varied; the copies' ids by original id."""
    bases = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
             for path in sorted((root / "sources").glob("*.yaml"))}
    copies: dict[str, list[str]] = {key: [] for key in bases}
    for n in range(count):
        key = sorted(bases)[n % len(bases)]
        data = dict(bases[key])
        lang = data.get("language", "en")
        ident = f"{key}-{n:05}"
        data["title"] = f"{data['title']} ({rng.choice(WORDS[lang]['topic'])}, {n})"
        data["text"] = (data.get("text") or "") + "\n" + " ".join(
            sentence(rng, lang) for _ in range(rng.randint(2, 12))) + "\n"
        (root / "sources" / f"{ident}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        copies[key].append(ident)
    return copies


def make_briefs(root: Path, count: int, copies: dict[str, list[str]], rng: random.Random) -> None:
    """``count`` briefs made from the examples: every type, both languages, in turn."""
    examples = sorted((root / "briefs").iterdir())
    skeletons = [(path.suffix, path.read_text(encoding="utf-8")) for path in examples]
    for path in examples:
        path.unlink()
    cited = re.compile("|".join(re.escape(key) for key in sorted(copies, key=len, reverse=True)))
    first = dt.date(2025, 4, 15)
    for n in range(count):
        suffix, text = skeletons[n % len(skeletons)]
        lang = "fr" if re.search(r"(?m)^lang: fr", text) else "en"
        chosen = {key: rng.choice(ids) for key, ids in copies.items()}
        text = cited.sub(lambda found: chosen[found.group(0)], text)
        day = first + dt.timedelta(days=n * 365 // count)
        text = re.sub(r"(?m)^date: \d{4}-\d\d-\d\d$", f"date: {day.isoformat()}", text, count=1)
        text = re.sub(r"(?m)^tracking_number: .*$", f"tracking_number: PS-{day.year}-{n:05}",
                      text, count=1)
        text = re.sub(r"(?m)^subject: ", f"subject: {rng.choice(WORDS[lang]['topic'])} {n} – ",
                      text, count=1)
        if suffix == ".md":           # a varied paragraph at the end of the background
            keys = rng.sample(sorted(chosen.values()), 2)
            added = " ".join(sentence(rng, lang, key) for key in keys)
            text = re.sub(r"(?ms)^(## (?:Background|Contexte)\n.*?)\n*(?=^## |\Z)",
                          lambda found: f"{found.group(1).rstrip()}\n\n{added}\n\n", text, count=1)
        (root / "briefs" / f"note-{n:05}{suffix}").write_text(text, encoding="utf-8")


def make_workspace(root: Path, notes: int, records: int) -> None:
    rng = random.Random(SEED)
    init(root)
    copies = make_records(root, records, rng)
    make_briefs(root, notes, copies, rng)


# -- measuring ----------------------------------------------------------------------------

def outputs(out: Path) -> dict[str, tuple[int, int]]:
    """Every output file's (inode, mtime): a rewrite (atomic or in place) changes one of them."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir() if p.is_file()}


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    return sum(1 for name, mark in after.items() if before.get(name) != mark)


def build(root: Path, *options: str) -> Run:
    return measure([*briefgen_command(), "-q", "build", *options], root)


def rebuild(root: Path, what: str) -> tuple[Run, int]:
    """A build over the last one's outputs: its run and how many files it rewrote."""
    before = outputs(root / "out")
    print(f"\nrebuild, {what} ({load()})")
    run = build(root)
    count = rewritten(before, outputs(root / "out"))
    print(f"  wall {run.seconds:7.2f} s   CPU {run.cpu_seconds:7.2f} s   "
          f"{count} of {len(before)} files rewritten")
    return run, count


def force_option() -> list[str]:
    """``--force`` where the build has it (incremental builds), else nothing."""
    shown = subprocess.run([*briefgen_command(), "build", "--help"], capture_output=True, text=True)
    return ["--force"] if "--force" in shown.stdout else []


def citing(root: Path, key: str) -> list[str]:
    """The briefs that cite ``key``."""
    found = re.compile(rf"(?<![a-z0-9._-]){re.escape(key)}(?![a-z0-9_-])")
    return [p.stem for p in sorted((root / "briefs").iterdir())
            if found.search(p.read_text(encoding="utf-8"))]


def pandoc_sample(root: Path, size: int) -> tuple[int, float, float] | None:
    """Pandoc, one process per file, on ``size`` of the Markdown notes: (files, wall s, CPU s)."""
    try:
        import pypandoc
        pandoc = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        print("\nPandoc: skipped, pypandoc-binary is missing (pip install -e '.[bench]')")
        return None
    notes = sorted((root / "out").glob("*.md"))
    sample = notes[:: max(1, len(notes) // size)][:size]
    target = root / "pandoc"
    target.mkdir(exist_ok=True)
    reference = reference_docx(Workspace(root))
    print(f"\nPandoc, one process per file, {len(sample)} notes ({load()})")
    wall = cpu = 0.0
    for source in sample:
        run = measure([pandoc, "-f", "markdown", "-t", "docx", f"--reference-doc={reference}",
                       "-o", str(target / f"{source.stem}.docx"), str(source)], root)
        wall, cpu = wall + run.seconds, cpu + run.cpu_seconds
    print(f"  wall {wall:7.2f} s   CPU {cpu:7.2f} s   {len(sample) / wall:6.1f} files/s")
    return len(sample), wall, cpu


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


# -- main ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=None, help=f"notes (default {NOTES:,})")
    parser.add_argument("--records", type=int, default=None,
                        help=f"records (default {RECORDS_PER_NOTE:g} per note)")
    parser.add_argument("--sample", type=int, default=None,
                        help=f"notes Pandoc converts (default {SAMPLE})")
    parser.add_argument("--small", action="store_true",
                        help=f"{SMALL_NOTES} notes, a Pandoc sample of {SMALL_SAMPLE}: a quick run")
    args = parser.parse_args(argv)
    notes = args.notes or (SMALL_NOTES if args.small else NOTES)
    records = args.records or int(notes * RECORDS_PER_NOTE)
    sample = args.sample or (SMALL_SAMPLE if args.small else SAMPLE)
    cpus = usable_cpus()
    print(f"briefgen year bench: {notes:,} notes, {records:,} records, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs ({cpus} usable); {load()}")
    with tempfile.TemporaryDirectory(prefix="briefgen-year-") as tmp:
        root = Path(tmp) / "ws"
        started = time.perf_counter()
        make_workspace(root, notes, records)
        print(f"generated the workspace in {time.perf_counter() - started:.1f} s (seed {SEED})")
        force = force_option()

        print(f"\nclean build, -j auto{' --force' if force else ''} ({load()})")
        clean = build(root, *force)
        made = len(list((root / "out").glob("*.docx")))
        if made != notes:
            sys.exit(f"the clean build wrote {made} DOCX files, not {notes}")
        print(f"  wall {clean.seconds:7.2f} s   CPU {clean.cpu_seconds:7.2f} s   "
              f"{notes / clean.seconds:6.1f} notes/s")
        print(f"  peak RSS: all processes {mb(clean.tree_mb)}, largest process {mb(clean.largest_mb)}")

        pandoc = pandoc_sample(root, sample)     # now: the load is most like the clean build's
        noop, noop_files = rebuild(root, "nothing changed")
        record = sorted((root / "sources").glob("*-00001.yaml"))[0]
        expected = 2 * len(citing(root, record.stem))
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
        data["title"] += " (revised)"          # printed in the notes that cite it
        record.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        one, one_files = rebuild(root, f"one record changed: {record.stem}")
        print(f"  the notes citing it have {expected} files")

        jobs2 = clean
        if cpus != 2:
            print(f"\nclean build, -j 2 ({load()})")
            shutil.rmtree(root / "out")
            jobs2 = build(root, "-j", "2", *force)
            print(f"  wall {jobs2.seconds:7.2f} s   {notes / jobs2.seconds:6.1f} notes/s")
    report(notes, clean, noop, noop_files, one_files, expected, jobs2, pandoc)
    return 0


def report(notes: int, clean: Run, noop: Run, noop_files: int, one_files: int, expected: int,
           jobs2: Run, pandoc: tuple[int, float, float] | None) -> None:
    scale = notes / NOTES
    print(f"\nTargets (for {NOTES:,} notes on 2 idle cores; time targets scaled to {notes:,} notes; "
          f"{load()})")
    print(f"  clean build: {clean.seconds:.1f} s vs target <= {TARGET_CLEAN_S * scale:.1f} s   "
          f"{verdict(clean.seconds <= TARGET_CLEAN_S * scale)}")
    print(f"  clean build CPU: {clean.cpu_seconds:.1f} s vs target <= {TARGET_CLEAN_CPU_S * scale:.1f} s"
          f"   {verdict(clean.cpu_seconds <= TARGET_CLEAN_CPU_S * scale)}")
    print(f"  no-op rebuild: {noop.seconds:.2f} s, {noop_files} files rewritten vs target <= "
          f"{TARGET_NOOP_S:g} s, none rewritten   "
          f"{verdict(noop.seconds <= TARGET_NOOP_S and noop_files == 0)}")
    print(f"  one record changed: {one_files} files rewritten vs target {expected} (the notes "
          f"citing it)   {verdict(one_files == expected)}")
    tree = clean.tree_mb if clean.tree_mb is not None else clean.largest_mb
    print(f"  peak RSS, all processes: {tree:.1f} MB vs target <= {TARGET_RSS_MB:.0f} MB "
          f"(at 5,000 notes, -j 2: --notes 5000)   {verdict(tree <= TARGET_RSS_MB)}")
    if pandoc is None:
        print("  -j 2 / Pandoc: no Pandoc to compare with   SKIP")
        return
    files, wall, cpu = pandoc
    ratio = notes / jobs2.seconds / (files / wall)
    print(f"  -j 2 / Pandoc: {notes / jobs2.seconds:.1f} / {files / wall:.1f} per s = {ratio:.2f}x "
          f"vs target >= {TARGET_RATIO:g}x   {verdict(ratio >= TARGET_RATIO)}")
    print(f"    (per CPU second, less bent by the load: {notes / jobs2.cpu_seconds:.1f} / "
          f"{files / cpu:.1f} = {notes / jobs2.cpu_seconds / (files / cpu):.2f}x)")


if __name__ == "__main__":
    sys.exit(main())
