"""What an article's text says about itself: its quotations and their speakers,
its sentences with figures, and (for HTML) its title, date, author and body.

Everything taken from the text is taken verbatim, so that a brief quoting an
extracted quotation passes ``briefgen check``.
"""
from __future__ import annotations

import bisect
import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from briefgen.models import Quote

# A quotation: “curly”, "straight" or « French » marks, within one paragraph, not nested.
_QUOTATION = re.compile(r"“(?P<curly>[^“”\n]+)”|\"(?P<straight>[^\"\n]+)\"|«(?P<french>[^«»\n]+)»")
MIN_QUOTE_WORDS = 3   # “Team Canada” and “irritant” are labels, not quotations
MAX_KEY_FACTS = 10
MAX_FACT_WORDS = 60
SPEAKER_REACH = 400   # characters either side of a quotation where its speaker is looked for
_MARKS = "“”\"«»"

_VERBS = (r"said|says|say|wrote|writes|added|adds|told|tells|stated|states|noted|notes|explained|"
          r"warned|warns|argued|argues|insisted|declared|asked|replied|read|reads|concluded|"
          r"acknowledged|cautioned|continued|recalled|tweeted|posted")
_PAST = (r"said|says|wrote|added|told|stated|noted|explained|warned|argued|insisted|declared|"
         r"asked|replied|concluded|acknowledged|cautioned|recalled|tweeted|posted")
_FR_PAST = r"dit|déclaré|affirmé|indiqué|expliqué|écrit|ajouté|souligné|précisé|estimé|rappelé"
_FR_VERBS = (rf"(?:a|ont)\s+(?:{_FR_PAST})|dit|déclare|affirme|indique|explique|écrit|ajoute|"
             r"souligne|précise|estime|rappelle")
# After the quotation: ”, said Hampson.  ”, wrote Trump on Nov. 25.  », a déclaré la ministre X.
_VERB_THEN_WHO = re.compile(
    rf"\s*[,.!?]?\s*(?:{_VERBS}|{_FR_VERBS})\s+(?P<who>[^,;:!?{_MARKS}]+?)"
    r"(?=[,;:!?]|\.?\s*$|\s+(?:on|in|at|during|after|before|last|this|yesterday|today|earlier|"
    r"later|when|while|adding|according|in\s+a|lors|dans|devant|pendant|après|avant|alors|en)\b|$)")
# After the quotation: ”, a briefing note written in late January said.  », a-t-elle ajouté.
_WHO_THEN_VERB = re.compile(
    rf"\s*[,.!?]?\s*(?P<who>(?:[\w’'.-]+\s+){{0,11}}?[\w’'.-]+)\s+(?:{_VERBS}|{_FR_VERBS}|show|"
    r"shows|showed)\b|\s*[,.!?]?\s*(?:a|ont)-t?-?(?P<pronoun>il|elle|ils|elles)\b")
# Before the quotation, in the same sentence: A memo ... said: “  Fen Hampson, a professor, said ...
# (past tenses only: in "Briefing notes, obtained by ..." the word "notes" is no verb)
_WHO_BEFORE = re.compile(rf"^(?P<who>[^{_MARKS}]+?),?\s+(?:{_PAST}|(?:a|ont)\s+(?:{_FR_PAST}))\b")
_ACCORDING = re.compile(rf"\b(?:[Aa]ccording to|[Ss]elon|[Dd]’après|[Dd]'après) (?P<who>[^,{_MARKS}]+),")
_PRONOUNS = {"he", "she", "they", "il", "elle", "ils", "elles"}
_NAME = re.compile(r"(?:[A-ZÀ-Ý][\w’'.-]*)(?:\s+[A-ZÀ-Ý][\w’'.-]*){0,3}")
# "the minister, Jane Doe", "la ministre Mélanie Joly": a person named by title
_TITLED = re.compile(r"(?:(?:the|la|le|l['’])\s*)?(?:deputy\s+|prime\s+|premier\s+)?(?:minister|"
                     r"ministre|president|présidente?|ambassad\w+|senator|sénat\w+|professeure?|"
                     r"professor|mayor|maire\w*|commissaire|commissioner|chief|chef)\b.*\b[A-ZÀ-Ý]"
                     r"[\w’'-]+$", re.I)
_SENTENCE_ADVERBS = {"Indeed", "However", "Meanwhile", "Still", "Yet", "Instead", "Also", "Later",
                     "Separately", "Earlier", "Today", "Yesterday", "Now", "Then", "Finally",
                     "But", "And", "So", "Last", "This", "That", "These", "Those", "The", "A", "An",
                     "Le", "La", "Les", "Un", "Une", "Mais", "Selon", "Ainsi", "Puis", "Enfin"}


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; in a text with none, each line is one."""
    text = text.replace("\r\n", "\n").strip()
    if re.search(r"\n[ \t]*\n", text):
        parts = re.split(r"\n[ \t]*\n", text)
    else:
        parts = text.split("\n")
    return [part.strip() for part in parts if part.strip()]


def quotes(text: str) -> list[Quote]:
    """The quotations in ``text`` (three words or more), each with its speaker when the
    sentence names one ("..., said X", "X said: ...", "according to X"); "he said"
    takes the last person named."""
    from briefgen.note.sentences import sentences  # loaded when an article is read

    found: list[Quote] = []
    seen: set[str] = set()
    person: str | None = None
    for paragraph in paragraphs(text):
        bounds = list(sentences(paragraph))
        starts, ends = [s for s, _ in bounds], [e for _, e in bounds]
        for match in _QUOTATION.finditer(paragraph):
            inner = (match.group("curly") or match.group("straight") or match.group("french")
                     or "").strip().rstrip(",")
            inner = inner.rstrip()
            if len(inner.split()) < MIN_QUOTE_WORDS or inner in seen:
                continue
            seen.add(inner)
            start, end = _sentence_around(starts, ends, match.start(), match.end(), len(paragraph))
            who = _speaker(paragraph[max(start, match.start() - SPEAKER_REACH):match.start()],
                           paragraph[match.end():min(max(end, match.end()),
                                                     match.end() + SPEAKER_REACH)])
            if who is not None and who.lower() in _PRONOUNS:
                who = person
            elif who is not None and _is_person(who):
                person = who
            found.append(Quote(text=inner, speaker=_capitalised(who) if who else None))
    return found


def _sentence_around(starts: list[int], ends: list[int], begin: int, end: int,
                     length: int) -> tuple[int, int]:
    """Where the sentence holding a quotation starts, and where the one holding its end
    ends (sentences are sorted, so a binary search finds them)."""
    i = bisect.bisect_right(starts, begin) - 1
    j = bisect.bisect_left(ends, end)
    first = starts[i] if i >= 0 and begin < ends[i] else 0
    last = ends[j] if j < len(ends) and starts[j] < end else length
    return first, last


def _speaker(before: str, after: str) -> str | None:
    for pattern in (_VERB_THEN_WHO, _WHO_THEN_VERB):
        if match := pattern.match(after):
            return _tidy(match.group("who") or match.group("pronoun"))
    if match := _WHO_BEFORE.match(before.strip()):
        return _subject(match.group("who"))
    if match := _ACCORDING.search(before):
        return _tidy(match.group("who"))
    return None


def _subject(words: str) -> str | None:
    """The speaker in the words before "said": a name and what follows it after a comma
    ("Fen Hampson, a professor"), else what follows an opening phrase ("Months later, a memo")."""
    parts = [part.strip() for part in words.split(",") if part.strip()]
    if not parts:
        return None
    first = parts[0]
    if (_NAME.fullmatch(first) and first.split()[0] not in _SENTENCE_ADVERBS
            and (len(parts) == 1 or re.match(r"(?:a|an|the)\s", parts[-1]))):
        who = ", ".join(parts)
    else:
        who = parts[-1]
    return _tidy(who) if len(who.split()) <= 25 else None


def _tidy(who: str) -> str | None:
    who = " ".join(who.split()).strip(" ,;:")
    return who or None


def _is_person(who: str) -> bool:
    first = who.split(",")[0].strip()
    return bool(_NAME.fullmatch(first) and first.split()[0] not in _SENTENCE_ADVERBS
                or _TITLED.match(first))


def _capitalised(who: str) -> str:
    return who[0].upper() + who[1:]


def key_facts(text: str, limit: int = MAX_KEY_FACTS) -> list[str]:
    """Sentences that state a figure (an amount, a percentage, a count; not a date or year)."""
    from briefgen.note.check import (
        figures_without_dates,  # loaded when an article is read
    )
    from briefgen.note.sentences import sentences

    facts: list[str] = []
    for paragraph in paragraphs(text):
        for start, end in sentences(paragraph):
            sentence = paragraph[start:end]
            if len(sentence.split()) <= MAX_FACT_WORDS and figures_without_dates(sentence):
                if sentence not in facts:
                    facts.append(sentence)
                if len(facts) >= limit:
                    return facts
    return facts


def first_sentence_title(text: str, words: int = 14) -> str | None:
    """A title for a text that has none: its first sentence, shortened to ``words``."""
    from briefgen.note.sentences import sentences  # loaded when an article is read

    for paragraph in paragraphs(text):
        start, end = next(iter(sentences(paragraph)), (0, len(paragraph)))
        parts = paragraph[start:end].split()
        if not parts:
            continue
        if len(parts) <= words:
            return " ".join(parts).rstrip(".")
        return " ".join(parts[:words]).rstrip(",;:") + " …"
    return None


# Dates ------------------------------------------------------------------------

_MONTH_NUMBERS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for name in names}
_WRITTEN_DATE = re.compile(r"(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})")
# Wire copy ends with "This report by The Canadian Press was first published Dec. 13, 2024."
_FIRST_PUBLISHED = re.compile(
    r"(?:This (?:report|article|story) by (?P<publisher>[A-Z][^.]{1,60}?) was )?"
    r"first published(?: on)? (?P<date>[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4})")


def parse_date(value: Any) -> dt.date | None:
    """An ISO date or date-time, an e-mail style date, or "Dec. 13, 2024"; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if match := re.match(r"(\d{4})-(\d\d)-(\d\d)", value):
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            return None
    if match := _WRITTEN_DATE.fullmatch(value.rstrip(".")):
        month = _MONTH_NUMBERS.get(match.group("month").lower())
        try:
            return dt.date(int(match.group("year")), month, int(match.group("day"))) if month else None
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def publication_line(text: str) -> tuple[str | None, dt.date | None]:
    """Publisher and date from a wire service's closing line, when the text has one."""
    match = None
    for match in _FIRST_PUBLISHED.finditer(text):
        pass
    if match is None:
        return None, None
    return match.group("publisher"), parse_date(match.group("date"))


# HTML ---------------------------------------------------------------------------

_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li",
           "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "hr", "address",
           "figcaption", "header", "footer", "aside", "nav", "form", "fieldset", "details",
           "summary"}
_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
         "button", "svg", "iframe", "figure", "select", "textarea", "head")


@dataclass
class Page:
    """What an HTML page says about itself, and its text."""

    text: str = ""
    title: str | None = None
    date: dt.date | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    summary: str | None = None
    language: str | None = None


def html_to_text(html: str) -> str:
    """HTML as plain text: one paragraph per block, blank lines between them."""
    return _text_of(_soup(html))


def _soup(html: str) -> Any:
    from bs4 import BeautifulSoup  # imported here: only the HTML importers need it

    return BeautifulSoup(html, "html.parser")


def _text_of(element: Any) -> str:
    """The text of an element: a blank line around each block, a line break for ``<br>``,
    scripts, styles, navigation and forms left out. One walk over the tree, no changes to it."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    pieces: list[str] = []
    # A stack, not recursion: a page may nest elements 100,000 deep.
    stack: list[Any] = [iter(element.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, str) and not isinstance(child, NavigableString):
            pieces.append(child)            # the closing break of a block, pushed below
        elif isinstance(child, Tag):
            name = child.name
            if name in _DROP:
                continue
            if name == "br":
                pieces.append("\n")
            elif name in _BLOCKS:
                pieces.append("\n\n")
                stack.append(iter(["\n\n"]))
                stack.append(iter(child.children))
            else:
                stack.append(iter(child.children))
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            pieces.append(str(child))   # text, not a comment, doctype or CDATA marker
    return "\n\n".join(" ".join(block.split()) for block in re.split(r"\n\s*\n", "".join(pieces))
                       if block.strip())


def read_page(html: str) -> Page:
    """Title, date, author, publisher, address and summary from a page's metadata
    (Open Graph, ``<meta>``, JSON-LD, ``<time>``), and the text of its article."""
    soup = _soup(html)
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip() and key not in meta:
            meta[key] = " ".join(content.split())
    linked = _json_ld(soup)
    page = Page()
    page.publisher = meta.get("og:site_name") or _name(linked.get("publisher"))
    title = (meta.get("og:title") or meta.get("twitter:title") or _str(linked.get("headline"))
             or (soup.title.get_text(" ", strip=True) if soup.title else None))
    if not title and (heading := soup.find("h1")):
        title = heading.get_text(" ", strip=True)
    page.title = _without_site(title, page.publisher)
    time_tag = soup.find("time", attrs={"datetime": True})
    page.date = next((d for d in map(parse_date, (
        meta.get("article:published_time"), _str(linked.get("datePublished")),
        meta.get("datepublished"), meta.get("pubdate"), meta.get("publishdate"),
        meta.get("dc.date.issued"), meta.get("dc.date"), meta.get("date"),
        meta.get("citation_publication_date"), meta.get("parsely-pub-date"),
        time_tag.get("datetime") if time_tag else None)) if d), None)
    author = meta.get("author") or meta.get("article:author") or meta.get("citation_author")
    page.authors = _names(linked.get("author")) or (
        [author] if author and not author.startswith(("http://", "https://")) else [])
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or meta.get("og:url") or _str(linked.get("url"))
    page.url = url if isinstance(url, str) and re.match(r"https?://[^\s<>]+$", url) else None
    page.summary = meta.get("description") or meta.get("og:description")
    html_tag = soup.find("html")
    page.language = html_tag.get("lang") if html_tag else None
    body = soup.find("article") or soup.find("main") or soup.find(attrs={"role": "main"}) \
        or soup.body or soup
    page.text = _text_of(body)
    if page.title and page.text.startswith(page.title):
        page.text = page.text[len(page.title):].lstrip()   # the headline is the title, not text
    return page


def _json_ld(soup: Any) -> dict[str, Any]:
    """The page's schema.org article (NewsArticle, Article, Report...), if it describes one."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError, RecursionError):
            continue                    # not JSON, a huge number, or nested too deep
        for item in _ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and (k.endswith("Article") or k in ("Report", "BlogPosting"))
                   for k in kinds):
                return item
    return {}


def _ld_items(data: Any) -> Iterator[dict[str, Any]]:
    """Each object of JSON-LD, its ``@graph`` included, in order (a stack: no recursion)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            stack.append(item.get("@graph", []))


def _str(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _str(value.get("name")) if isinstance(value, dict) else _str(value)


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [name for name in map(_name, values) if name]


def _without_site(title: str | None, site: str | None) -> str | None:
    """"Story | Global News" → "Story" when the page names its site."""
    if not title:
        return None
    title = " ".join(title.split())
    if site:
        for separator in (" | ", " - ", " – ", " — ", " :: "):
            if title.endswith(separator + site):
                return title[: -len(separator + site)]
    return title
