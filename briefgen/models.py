"""Pydantic models for source records, brief specs and workspace settings.

Every model forbids unknown fields so that a typo (``titel:``) is an error
rather than a silently missing value.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from briefgen.disclosure.schema import ACTIONS, ADDRESSEES, PURPOSE_ACTIONS, ministers

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
DEFAULT_LEVELS = [
    "UNCLASSIFIED", "PROTECTED A", "PROTECTED B", "PROTECTED C",
    "CONFIDENTIAL", "SECRET", "TOP SECRET",
]


def check_id(value: str) -> str:
    """Ids become file names: keep them to one safe path component."""
    if not ID_PATTERN.fullmatch(value) or ".." in value:
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits, '.', '_' "
            "and '-', starting with a letter or digit (no '/' or '..')")
    return value


def _to_date(value: Any) -> Any:
    """Accept ISO dates only; pydantic's lax mode would read 2024 as a timestamp."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value.strip()):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()  # also "2024-01-02T10:00"
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD")


def _check_language(value: Any) -> Any:
    """``lang: de`` is an error that lists the languages briefgen writes."""
    if isinstance(value, str) and value not in LANGUAGES:
        raise ValueError(f"unsupported language {value!r}; supported languages: "
                         + ", ".join(f"{code} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES))
    return value


def _to_list(value: Any) -> Any:
    """A single string where a list is expected is a list of one."""
    return [value] if isinstance(value, str) else value


def _code(what: str, table: Callable[[], Mapping[str, tuple[str, str]]],
          labels: bool = True) -> Callable[[str], str]:
    """A field that takes one of the portal's codes; a wrong one lists the allowed codes."""
    def check(value: str) -> str:
        allowed = table()
        if value in allowed:
            return value
        close = difflib.get_close_matches(value.upper(), list(allowed), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r} ({allowed[close[0]][0]})? " if close else ""
        listed = (", ".join(f"{code} ({names[0]})" for code, names in allowed.items())
                  if labels else ", ".join(allowed))
        raise ValueError(f"{value!r} is not {what} code; {hint}codes: {listed}")
    return check


Id = Annotated[str, AfterValidator(check_id)]
Date = Annotated[dt.date, BeforeValidator(_to_date)]
StrList = Annotated[list[str], BeforeValidator(_to_list)]
Language = Annotated[Literal["en", "fr"], BeforeValidator(_check_language)]
# The codes of the portal's disclosure lists (see briefgen.disclosure.schema).
Addressee = Annotated[str, AfterValidator(_code("an addressee", lambda: ADDRESSEES))]
Action = Annotated[str, AfterValidator(_code("an action_required", lambda: ACTIONS))]
Minister = Annotated[str, AfterValidator(_code("a minister", ministers, labels=False))]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Quote(Model):
    text: str
    speaker: str | None = None
    context: str | None = None
    page: int | str | None = None


class SourceRecord(Model):
    """One citable source: an article, released document, memo, statistic..."""

    id: Id
    kind: Literal["news", "atip", "memo", "report", "statement", "statistic", "web", "other"]
    title: str
    publisher: str | None = None
    author: StrList = []
    date: Date | None = None
    added: Date | None = None
    url: str | None = None
    accessed: Date | None = None
    atip_number: str | None = None
    pages: int | None = Field(default=None, ge=1)
    classification: str | None = None  # None: the workspace default
    language: Language = "en"
    tags: StrList = []
    summary: str | None = None
    key_facts: StrList = []
    quotes: list[Quote] = []
    text: str = ""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s<>]+$", value):
            raise ValueError(f"{value!r} is not an http(s) address")
        return value

    @model_validator(mode="after")
    def _added_defaults_to_date(self) -> SourceRecord:
        if self.added is None and self.date is not None:
            object.__setattr__(self, "added", self.date)
        return self


class Option(Model):
    title: str
    pros: StrList = []
    cons: StrList = []


class Pressed(Model):
    """``If pressed on <topic>``: supplementary lines for a QP note."""

    topic: str
    lines: StrList


class QA(Model):
    """An anticipated question and its answer (media lines)."""

    question: str
    answer: str


class Event(Model):
    """What a meeting brief prepares for."""

    title: str
    date: Date
    time: str | None = None
    location: str | None = None


class Participant(Model):
    name: str
    title: str | None = None
    bio: str | None = None


class Contact(Model):
    """Who to call about the note: the memo's contact block."""

    name: str
    title: str | None = None
    phone: str | None = None


MAX_NESTING = 40
# What opens a line: indentation, list markers, quote marks; two columns make one level.
_LEAD = re.compile(r"^(?:[ \t]|[-*+>](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))*", re.M)


def nesting(text: str) -> int:
    """How deep the deepest line of a Markdown text nests lists and quotes, roughly."""
    return max((len(lead.expandtabs(4)) // 2 for lead in _LEAD.findall(text)), default=0)


def _texts(value: Any) -> list[str]:
    """Every string in a field's value, however nested (options, custom fields)."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, BaseModel):
            stack.extend(vars(item).values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


class Brief(Model):
    """A brief spec: what the note says; the template decides how it looks.

    Which fields a note type needs and prints is in :mod:`briefgen.note.notetypes`.
    """

    id: Id
    type: Id = "briefing-note"
    tracking_number: str | None = None
    classification: str | None = None
    lang: Language | None = None
    to: str | None = None
    from_: str | None = Field(default=None, alias="from")
    subject: str
    date: Date
    purpose: Literal["information", "decision", "signature"] | None = None  # None: the type's
    issue: str | None = None
    summary: str | None = None
    background: str | None = None
    current_status: str | None = None
    considerations: str | None = None
    options: list[Option] = []
    recommendation: str | None = None
    talking_points: StrList = []
    next_steps: str | None = None
    attachments: StrList = []
    prepared_by: str | None = None
    approved_by: str | None = None
    contact: Contact | None = None
    consultations: StrList = []
    sources: list[Id] = []
    key_messages: StrList = []                 # qp-note, media-lines, meeting-brief
    if_pressed: list[Pressed] = []             # qp-note
    responsive_lines: StrList = []             # media-lines
    qa: list[QA] = []                          # media-lines
    spokesperson: str | None = None            # media-lines
    approval_status: Literal["draft", "pending", "approved"] | None = None  # media-lines
    event: Event | None = None                 # meeting-brief
    participants: list[Participant] = []       # meeting-brief
    objectives: StrList = []                   # meeting-brief
    agenda: StrList = []                       # meeting-brief
    logistics: str | None = None               # meeting-brief
    # A custom note type's own fields (templates/<type>.schema.yaml lists the required ones);
    # their text is Markdown with citations, like the fields above.
    fields: dict[str, Any] = {}
    # Reviewers' comments kept by ``briefgen absorb --keep-comments``: never printed.
    review: list[str] = []
    # Proactive disclosure (briefgen export disclosure, docs/disclosure.md): the published
    # title in each language (the brief's own defaults to its subject), the originating
    # sector and addressee (defaults: [department]), the portal's action code (default:
    # from the purpose), the day the office received it (default: date), for a qp-note
    # the minister's code, and additional information. Exported, not printed.
    title_en: str | None = None
    title_fr: str | None = None
    originating_sector_en: str | None = None
    originating_sector_fr: str | None = None
    addressee: Addressee | None = None
    action_required: Action | None = None
    date_received: Date | None = None
    minister: Minister | None = None
    additional_information_en: str | None = None
    additional_information_fr: str | None = None

    @field_validator("*")
    @classmethod
    def _nesting_fits(cls, value: Any) -> Any:
        """Lists nested hundreds deep made the Markdown parser recurse past Python's limit."""
        if any(nesting(text) > MAX_NESTING for text in _texts(value)):
            raise ValueError(f"a line nests lists or quotes more than {MAX_NESTING} levels "
                             "deep; flatten it")
        return value

    @field_validator("action_required")
    @classmethod
    def _action_fits_purpose(cls, value: str | None, info: ValidationInfo) -> str | None:
        purpose = info.data.get("purpose")
        if value is not None and purpose is not None and PURPOSE_ACTIONS[purpose] != value:
            raise ValueError(f"{value!r} does not match purpose: {purpose} (code "
                             f"{PURPOSE_ACTIONS[purpose]}); leave action_required out to take "
                             "it from the purpose")
        return value



class CheckSettings(Model):
    """``[check]`` in briefgen.toml: rules to turn off, budgets, known acronyms."""

    disable: list[str] = []
    pages: dict[str, float] = {"briefing-note": 2, "decision-note": 3, "qp-note": 1,
                               "media-lines": 2, "meeting-brief": 3}
    talking_points_max: int = Field(default=7, ge=1)
    words_per_point: int = Field(default=40, ge=1)
    summary_words: int = Field(default=150, ge=1)
    sentence_words: int = Field(default=30, ge=1)
    acronyms: list[str] = ["U.S.", "US", "UN", "NATO", "G7", "G20", "EU", "CBC", "OK", "PM", "MP"]


def _check_timezone(value: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use a name such as America/Toronto "
                         "(if every name fails, install the tzdata package)") from None
    return value


class DigestSettings(Model):
    """``[digest]`` in briefgen.toml: the weekly digest of records added to the library."""

    timezone: Annotated[str, AfterValidator(_check_timezone)] = "America/Toronto"
    tags: list[str] = []              # topic order; other tags follow by name, untagged last
    topics: dict[str, str] = {}       # tag -> heading (default: the tag itself)
    formats: list[str] | None = None  # default: md, docx and html where briefgen writes it
    max_classification: str | None = None
    out: str = "out/digests"


def _one_line(value: str) -> str:
    """Text that goes into a mail header or a title: a line break there could add headers."""
    if re.search(r"[\r\n\x00]", value):
        raise ValueError("a line break (or NUL) is not allowed here; write it on one line")
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]


class SmtpSettings(Model):
    """``[smtp]``: how ``briefgen digest --email`` sends. The password is never in the
    file: ``password_env`` names the environment variable that holds it."""

    host: OneLine | None = None
    port: int | None = Field(default=None, ge=1, le=65535)  # default: 587, 465 (ssl), 25 (none)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: OneLine | None = None
    recipients: Annotated[list[OneLine], BeforeValidator(_to_list)] = []
    username: OneLine | None = None
    password_env: str | None = None
    timeout: float = Field(default=60, gt=0)


class Department(Model):
    """``[department]``: its name, and what the disclosure lists take when a brief is silent."""

    name: str = ""
    originating_sector_en: str | None = None
    originating_sector_fr: str | None = None
    addressee: Addressee | None = None
    minister: Minister | None = None


def _department(value: Any) -> Any:
    """``department = "Name"`` is short for ``[department]`` with only a name."""
    return {"name": value} if isinstance(value, str) else value


class ReviewSettings(Model):
    """``[review]`` in briefgen.toml: who the changes of a redline are attributed to."""

    author: OneLine | None = None     # default: the note's author (prepared_by, else department)


class Settings(Model):
    """briefgen.toml: workspace-wide defaults."""

    department: Annotated[Department, BeforeValidator(_department)] = Department()
    classification: str | None = None  # None: the lowest of classification_levels
    language: Language = "en"
    citations: Literal["footnotes", "sources-list"] = "footnotes"
    classification_levels: list[str] = Field(default_factory=lambda: list(DEFAULT_LEVELS), min_length=1)
    labels: dict[Language, dict[str, OneLine]] = {}
    check: CheckSettings = CheckSettings()
    digest: DigestSettings = DigestSettings()
    smtp: SmtpSettings = SmtpSettings()
    review: ReviewSettings = ReviewSettings()


# Fields of a Brief whose text is Markdown written by staff (may carry citations).
MARKDOWN_FIELDS = ("issue", "summary", "background", "current_status", "considerations",
                   "recommendation", "next_steps", "logistics")
MARKDOWN_LIST_FIELDS = ("talking_points", "attachments", "consultations", "key_messages",
                        "responsive_lines", "objectives", "agenda")
