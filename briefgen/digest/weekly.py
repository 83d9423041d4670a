"""Weekly digest: the records added to the library in one week, grouped by topic and cited.

One path with the briefing notes: the records come from the source index,
``digest.md.j2`` renders them to Markdown in the same sandbox, citations
become footnotes through :func:`note.finish`, and the builder's writers make
the ``.md``, ``.docx`` and ``.html`` files. Unattended runs (``--catch-up``)
remember each week in ``.briefgen/state.json``: a week whose digest has not
changed is neither rewritten nor sent again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.digest.periods import (
    Period,
    advance,
    catch_up,
    choose_period,
    last_complete_week,
    last_done,
    today_in,
)
from briefgen.errors import InputError
from briefgen.library.index import Index, Problem, open_index
from briefgen.models import Brief, SourceRecord
from briefgen.note.labels import labels_for
from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")

TEMPLATE = "digest.md.j2"
DEFAULT_FORMATS = ("md", "docx", "html")
# Words every digest prints, per language; ``[labels.en]`` in briefgen.toml overrides them too.
DIGEST_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "digest_title": "Weekly Digest",
        "digest_period": "Records added from {since} to {until}",
        "digest_this_week": "This Week",
        "digest_count_one": "1 record added.",
        "digest_count": "{n} records added.",
        "digest_empty": "No records were added to the library this week.",
        "digest_topic": "Topic",
        "digest_records": "Records",
        "digest_by_kind": "By kind:",
        "digest_untagged": "Other records",
        "digest_left_out_one": "1 record above {level} is left out of this digest.",
        "digest_left_out": "{n} records above {level} are left out of this digest.",
        "digest_skipped": "Files left out",
        "digest_skipped_intro": "These files could not be read and are not in this digest:",
        "digest_skipped_count": "{n} files could not be read and are not in this digest; "
                                "the run's messages name them.",
        "kind_news": "News", "kind_atip": "ATIP release", "kind_memo": "Memo",
        "kind_report": "Report", "kind_statement": "Statement", "kind_statistic": "Statistics",
        "kind_web": "Web page", "kind_other": "Other",
    },
    "fr": {
        "digest_title": "Condensé hebdomadaire",
        "digest_period": "Documents ajoutés du {since} au {until}",
        "digest_this_week": "Cette semaine",
        "digest_count_one": "1 document ajouté.",
        "digest_count": "{n} documents ajoutés.",
        "digest_empty": "Aucun document n’a été ajouté à la bibliothèque cette semaine.",
        "digest_topic": "Sujet",
        "digest_records": "Documents",
        "digest_by_kind": "Par type :",
        "digest_untagged": "Autres documents",
        "digest_left_out_one": "1 document de niveau supérieur à {level} est exclu de ce condensé.",
        "digest_left_out": "{n} documents de niveau supérieur à {level} sont exclus de ce condensé.",
        "digest_skipped": "Fichiers exclus",
        "digest_skipped_intro": "Ces fichiers n’ont pas pu être lus et ne figurent pas dans ce condensé :",
        "digest_skipped_count": "{n} fichiers n’ont pas pu être lus et ne figurent pas dans ce "
                                "condensé; les messages de l’exécution les nomment.",
        "kind_news": "Article de presse", "kind_atip": "Document AIPRP", "kind_memo": "Note de service",
        "kind_report": "Rapport", "kind_statement": "Déclaration", "kind_statistic": "Statistiques",
        "kind_web": "Page Web", "kind_other": "Autre",
    },
}
KINDS = ("news", "atip", "memo", "report", "statement", "statistic", "web", "other")


class InvalidRecords(InputError):
    """Records the digest cannot use; every file is named."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(f"  {problem.error}" for problem in problems)
        count = len({problem.path for problem in problems})     # a file may have two problems
        super().__init__(f"{count} source file{'s' * (count != 1)} cannot be used; fix "
                         f"{'them' if count != 1 else 'it'}, or run with --skip-invalid to "
                         f"make the digest without {'them' if count != 1 else 'it'}:\n{lines}")
        self.problems = problems


# Selecting and grouping --------------------------------------------------------

@dataclass
class Selection:
    """The records of one period that go into its digest, and what was left out."""

    period: Period
    records: list[tuple[SourceRecord, Path]]
    level: str                        # the digest's marking: the highest level it includes
    ceiling: str | None = None
    left_out: int = 0                 # records above the ceiling (counted, never named)
    skipped: list[Problem] = field(default_factory=list)


def library_problems(index: Index) -> list[Problem]:
    """Every file the digest cannot place: invalid, a shared id, or no date at all."""
    problems = index.problems()
    for path in index.undated():
        problems.append(Problem(path, InputError(
            "the record has neither 'added' nor 'date', so no digest week can hold it; "
            "add 'added: YYYY-MM-DD'", file=path, field="added")))
    return sorted(problems, key=lambda problem: problem.path.parts)


def select(ws: Workspace, index: Index, period: Period, ceiling: str | None = None,
           skip_invalid: bool = False, problems: list[Problem] | None = None) -> Selection:
    """The period's records, below the ceiling; invalid files stop the run unless skipped."""
    scale = ws.scale
    problems = list(library_problems(index) if problems is None else problems)
    bad = {problem.path for problem in problems}
    kept: list[tuple[SourceRecord, Path, str]] = []
    for record, path in index.added_between(period.since, period.until):
        if path in bad:
            continue
        try:
            level = scale.normalise(record.classification or ws.default_level)
        except ValueError as err:
            problems.append(Problem(path, InputError(str(err), file=path, field="classification")))
            continue
        kept.append((record, path, level))
    if problems and not skip_invalid:
        raise InvalidRecords(sorted(problems, key=lambda problem: problem.path.parts))
    left_out = 0
    if ceiling is not None:
        limit = scale.rank(ceiling)
        left_out = sum(1 for *_, level in kept if scale.rank(level) > limit)
        kept = [item for item in kept if scale.rank(item[2]) <= limit]
    level = scale.highest([ws.default_level, *(level for *_, level in kept)])
    return Selection(period, [(record, path) for record, path, _ in kept], level, ceiling,
                     left_out, sorted(problems, key=lambda problem: problem.path.parts))


@dataclass(frozen=True)
class Group:
    tag: str | None          # None: untagged records
    title: str
    entries: list[dict[str, Any]]


def group(records: Iterable[SourceRecord], order: list[str], titles: dict[str, str],
          untagged: str, item: Callable[[SourceRecord], dict[str, Any]]) -> list[Group]:
    """One group per topic: each record under the first of its tags in ``order``, else its
    first tag; groups in ``order``, then the other tags by name, untagged last."""
    rank = {tag: n for n, tag in enumerate(order)}
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for record in records:
        listed = [tag for tag in record.tags if tag in rank]
        tag = min(listed, key=rank.__getitem__) if listed else (record.tags[0] if record.tags else None)
        groups.setdefault(tag, []).append(item(record))

    def position(tag: str | None) -> tuple[int, int, str]:
        if tag is None:
            return (2, 0, "")
        return (0, rank[tag], tag) if tag in rank else (1, 0, tag.casefold())

    return [Group(tag, untagged if tag is None else titles.get(tag, tag), groups[tag])
            for tag in sorted(groups, key=position)]


# The end of a sentence: . ! or ? (and any closing quote), then space and a capital letter.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-ZÀ-Ý])")
# What comes before a period that does not end a sentence: "Mr.", "Nov.", "U.S.", "J.", "M."
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:[A-Z]|[A-Za-z](?:\.[A-Za-z])+|Mr|Mrs|Ms|Dr|Prof|Hon|Sr|Jr|St|Gen|Lt|Col|"
    r"Sgt|Capt|Sen|Rep|Gov|No|Nos|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|"
    r"Co|Corp|vs|etc|approx|Fig|p|pp|Mme|Mlle|Me|Dre)$")


def excerpt(text: str, sentences: int = 2, words: int = 60) -> str:
    """The first sentences of a record's text (its first paragraph at most), ``words`` at most."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    if not paragraph:
        return ""
    ends = [match.end() for match in _SENTENCE_END.finditer(paragraph)
            if not (paragraph[match.start()] == "." and _ABBREVIATION.search(
                paragraph, max(0, match.start() - 40), match.start()))]   # a few words back only
    if len(ends) >= sentences:
        paragraph = paragraph[:ends[sentences - 1]]
    parts = paragraph.split(" ")
    return paragraph if len(parts) <= words else " ".join(parts[:words]).rstrip(",;:") + " …"


# Composing -------------------------------------------------------------------

def digest_labels(ws: Workspace, lang: str) -> dict[str, str]:
    return {**DIGEST_LABELS[lang], **labels_for(lang, ws.settings.labels)}


def compose(ws: Workspace, selection: Selection, lang: str | None = None) -> Any:
    """The digest as a :class:`note.Note`, ready for the writers."""
    from briefgen.note.composer import finish
    from briefgen.note.render import environment, format_date, render

    lang = lang or ws.settings.language
    labels = digest_labels(ws, lang)
    settings = ws.settings.digest
    period = selection.period
    records = [record for record, _ in selection.records]
    records.sort(key=lambda r: (r.added or dt.date.min, r.date or dt.date.min, r.title.casefold(), r.id))

    def item(record: SourceRecord) -> dict[str, Any]:
        return {"record": record, "kind": labels.get(f"kind_{record.kind}", record.kind),
                "summary": record.summary or excerpt(record.text)}

    groups = group(records, settings.tags, settings.topics, labels["digest_untagged"], item)
    kinds = Counter(record.kind for record in records)
    marking = ws.scale.marking(selection.level, lang)
    period_text = labels["digest_period"].format(since=format_date(period.since, lang),
                                                 until=format_date(period.until, lang))
    context = {
        "digest": {
            "name": period.name, "since": period.since, "until": period.until,
            "period": period_text, "total": len(records), "left_out": selection.left_out,
            "ceiling": ws.scale.marking(selection.ceiling, lang) if selection.ceiling else None,
            "level": selection.level,
            # Under a ceiling the files are not named: a name can say what a record is about.
            "skipped": [] if selection.ceiling else [_shown(ws, p.path) for p in selection.skipped],
            "skipped_count": len(selection.skipped),
        },
        "groups": [{"tag": g.tag, "title": g.title, "entries": g.entries} for g in groups],
        "kinds": [{"kind": kind, "label": labels.get(f"kind_{kind}", kind), "count": kinds[kind]}
                  for kind in KINDS if kinds[kind]],
        "labels": labels, "lang": lang, "marking": marking, "level": selection.level,
        "department": ws.settings.department.name,
    }
    env = environment(ws.templates_dir)
    body = render(env, TEMPLATE, context)
    title = f"{labels['digest_title']}: {period.name}"
    brief = Brief.model_validate({
        "id": f"digest-{period.name.lower()}", "type": "digest", "subject": title,
        "date": period.until, "lang": lang, "classification": selection.level})
    by_id = {record.id: record for record in records}
    source = ws.sources_dir
    return finish(ws, env, brief, source, lang, selection.level, labels, body, by_id)


def _shown(ws: Workspace, path: Path) -> str:
    try:
        return path.relative_to(ws.root).as_posix()
    except ValueError:
        return str(path)


def render_files(ws: Workspace, note: Any, formats: Iterable[str], out_dir: Path,
                 name: str) -> list[Any]:
    """Every requested file of one digest, in memory, through the builder's writers."""
    from briefgen.builder import WRITERS, Output

    return [Output(out_dir / f"{name}.{fmt}", WRITERS[fmt](note, ws)) for fmt in formats]


def content_hash(note: Any) -> str:
    """What the digest says (its Markdown and marking): decides whether a week changed."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(note.marking.encode("utf-8") + b"\0" + note.body.encode("utf-8"))
    return digest.hexdigest()


# Running -------------------------------------------------------------------------

@dataclass
class WeekResult:
    name: str
    records: int
    left_out: int
    skipped: list[Path]
    written: list[Path]          # files written this run (unchanged ones are not)
    files: list[Path]            # every file of the digest
    sent: bool = False           # sent by this run
    already_sent: str | None = None
    empty_not_sent: bool = False  # nothing to say: not e-mailed (--send-empty sends it)


@dataclass
class Options:
    week: str | None = None
    since: str | None = None
    until: str | None = None
    catch_up: bool = False
    max_classification: str | None = None
    formats: list[str] | None = None
    out: Path | None = None
    email: bool = False
    send_empty: bool = False          # e-mail a week with no records too
    skip_invalid: bool = False
    today: dt.date | None = None      # for tests: the date the run takes as today


def run(ws: Workspace, options: Options,
        report: Callable[[WeekResult], None] | None = None) -> list[WeekResult]:
    """One ``briefgen digest`` run: choose the weeks, make, write and (optionally) send each.

    Everything that can be checked first is checked before anything is written:
    the period, the ceiling, the formats, the mail settings and the password.
    """
    from briefgen.digest import mail
    from briefgen.digest.state import LOCK_FILE, STATE_FILE, State, lock

    settings = ws.settings.digest
    if options.catch_up and (options.week or options.since or options.until):
        raise InputError("--catch-up chooses the weeks itself; leave out --week, --since and --until")
    today = options.today or today_in(settings.timezone)
    chosen = options.week or options.since or options.until
    explicit = choose_period(today, options.week, options.since, options.until) if chosen else None
    ceiling = _ceiling(ws, options.max_classification or settings.max_classification,
                       "--max-classification" if options.max_classification else None)
    formats = _formats(options.formats if options.formats is not None else settings.formats)
    out_dir = ws.output_dir(options.out if options.out is not None else Path(settings.out))
    password = mail.check_settings(ws.settings.smtp, ws.root) if options.email else None

    results: list[WeekResult] = []
    with lock(ws.root / LOCK_FILE):
        state = State.load(ws.root / STATE_FILE)
        last = last_complete_week(today)
        done = last_done(state.last_week, last, state.path)
        if explicit is not None:
            periods = [explicit]
        elif options.catch_up:
            periods = catch_up(done, last, state.path)
        else:
            periods = [last]
        with open_index(ws.root, ws.sources_dir) as index:
            problems = library_problems(index)
            if options.skip_invalid:
                for problem in problems:
                    log.warning("warning: %s (left out of the digest)", problem.error)
            for period in periods:
                result = _one(ws, index, state, period, ceiling, formats, out_dir, options,
                              password, problems)
                if period.is_week:
                    advance(state, period, explicit is not None, options.email, last)
                results.append(result)
                if report:
                    report(result)
        return results


def _one(ws: Workspace, index: Index, state: Any, period: Period, ceiling: str | None,
         formats: list[str], out_dir: Path, options: Options, password: str | None,
         problems: list[Problem]) -> WeekResult:
    from briefgen.builder import write_atomically
    from briefgen.digest.state import WeekState, now_iso

    selection = select(ws, index, period, ceiling, options.skip_invalid, problems)
    note = compose(ws, selection)
    outputs = render_files(ws, note, formats, out_dir, period.name)
    changed = [output for output in outputs if not _same(output.path, output.data)]
    write_atomically(changed)
    files = [output.path for output in outputs]
    digest_hash = content_hash(note)
    empty = not (selection.records or selection.left_out or selection.skipped)
    entry = state.weeks.get(period.name)
    if entry is not None and entry.hash != digest_hash and entry.sent_at:
        log.warning("%s: warning: the digest changed since it was sent on %s; the files are "
                    "updated, the e-mail is not sent again", period.name, entry.sent_at)
    if entry is None or entry.hash != digest_hash or changed or entry.files != _names(ws, files) \
            or entry.empty != empty:
        sent_at, recipients = (entry.sent_at, entry.recipients) if entry else (None, [])
        entry = WeekState(digest_hash, _names(ws, files), now_iso(), sent_at, recipients, empty)
        state.weeks[period.name] = entry
        state.save()
    result = WeekResult(period.name, len(selection.records), selection.left_out,
                        [problem.path for problem in selection.skipped],
                        [output.path for output in changed], files)
    if options.email:
        if entry.sent_at:
            result.already_sent = entry.sent_at
        elif empty and not options.send_empty:
            result.empty_not_sent = True
        else:
            _send(ws, state, period.name, entry, note, outputs, password)
            result.sent = True
    return result


def _send(ws: Workspace, state: Any, name: str, entry: Any, note: Any, outputs: list[Any],
          password: str | None) -> None:
    """E-mail one week's digest and record it as sent (to the recipients who took it)."""
    from briefgen.digest import mail
    from briefgen.digest.state import now_iso

    made = {output.path.suffix: output.data for output in outputs}
    message = mail.digest_message(ws, note, name, entry.hash, made.get(".docx"), made.get(".html"))
    try:
        refused = mail.send(ws.settings.smtp, password, message)
    except mail.MailError as err:
        raise mail.MailError(f"{err}; {name} is written but not sent: the next run sends it") from None
    if refused:
        log.warning("%s: warning: the SMTP server refused %s; the others have it, so it "
                    "is not sent again", name, ", ".join(refused))
    entry.sent_at = now_iso()
    entry.recipients = [r for r in ws.settings.smtp.recipients if r not in refused]
    state.save()


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _names(ws: Workspace, files: list[Path]) -> list[str]:
    return [path.relative_to(ws.root).as_posix() for path in files]


def _ceiling(ws: Workspace, value: str | None, option: str | None) -> str | None:
    if value is None:
        return None
    try:
        return ws.scale.normalise(value)
    except ValueError as err:
        if option:
            raise InputError(f"{option}: {err}") from None
        raise InputError(str(err), file=ws.root / "briefgen.toml",
                         field="digest.max_classification") from None


def _formats(formats: list[str] | None) -> list[str]:
    from briefgen.builder import WRITERS

    if formats is None:
        return list(DEFAULT_FORMATS)
    unknown = [fmt for fmt in formats if fmt not in WRITERS]
    if unknown or not formats:
        raise InputError(f"unknown format {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(WRITERS)}")
    return list(dict.fromkeys(formats))
