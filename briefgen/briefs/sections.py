"""The sections of a Markdown brief: which ``##`` heading names which field, and how.

A heading names a field by its label in either language (``## Background``,
``## Contexte``) or by the field's own name (``## current_status``), in any
case and with or without accents. Each field has a form: prose, a list, or
one of the structured forms (options, "if pressed" topics, questions and
answers, participants, the event).
"""
from __future__ import annotations

import difflib
import unicodedata

from briefgen.models import MARKDOWN_FIELDS, MARKDOWN_LIST_FIELDS
from briefgen.note.labels import LABELS

PROSE, LIST, OPTIONS, PRESSED, QA, PARTICIPANTS, EVENT = (
    "prose", "list", "options", "if_pressed", "qa", "participants", "event")
KIND: dict[str, str] = {
    **{name: PROSE for name in MARKDOWN_FIELDS},
    **{name: LIST for name in MARKDOWN_LIST_FIELDS},
    "options": OPTIONS, "if_pressed": PRESSED, "qa": QA, "participants": PARTICIPANTS,
    "event": EVENT,
}
# The sections of each built-in type, in the order its template prints them.
ORDER: dict[str, tuple[str, ...]] = {
    "briefing-note": ("summary", "background", "current_status", "considerations", "options",
                      "recommendation", "next_steps", "talking_points", "consultations",
                      "attachments"),
    "decision-note": ("issue", "background", "considerations", "options", "recommendation",
                      "next_steps", "consultations", "attachments"),
    "qp-note": ("issue", "key_messages", "if_pressed", "background"),
    "media-lines": ("issue", "key_messages", "responsive_lines", "qa", "background"),
    "meeting-brief": ("event", "participants", "objectives", "agenda", "key_messages",
                      "background", "logistics"),
}
# The lines of the Event section: "Date: 2025-04-16".
EVENT_KEYS: dict[str, str] = {"title": "event_name", "date": "date", "time": "time",
                              "location": "location"}
# What belongs in each section: the comment `briefgen new` writes under its heading.
HINTS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "What the minister needs to know, in a few sentences.",
        "background": "How the issue arose; cite sources as [@record-id].",
        "current_status": "Where things stand now.",
        "considerations": "What to weigh; a list of short paragraphs works well.",
        "options": "One '### Title' per option, then 'Pros:' and 'Cons:' each followed by a list.",
        "recommendation": "What officials recommend.",
        "next_steps": "What happens next.",
        "talking_points": "A list: one '- ' line per point the minister can say.",
        "consultations": "A list of the organizations consulted.",
        "attachments": "A list of the documents attached.",
        "issue": "The question or decision, in one or two sentences.",
        "key_messages": "A list: one '- ' line per message.",
        "if_pressed": "Name the topic in the heading; then a list of lines.",
        "responsive_lines": "A list of lines to use only if asked.",
        "qa": "One '### Question?' per question, its answer as a paragraph under it.",
        "event": "A list: '- Event: …', '- Date: YYYY-MM-DD', '- Time: …', '- Location: …'.",
        "participants": "A list: '- **Name**, title', a short bio on the next lines, indented.",
        "objectives": "A list of what the minister wants from the meeting.",
        "agenda": "A numbered list: '1. item'.",
        "logistics": "Where, how, who attends.",
    },
    "fr": {
        "summary": "Ce que le ministre doit savoir, en quelques phrases.",
        "background": "L’origine de l’enjeu; citez les sources ainsi : [@id-de-la-source].",
        "current_status": "Où en sont les choses.",
        "considerations": "Ce qu’il faut peser; une liste de courts paragraphes convient.",
        "options": "Un « ### Titre » par option, puis « Avantages : » et « Inconvénients : », "
                   "chacun suivi d’une liste.",
        "recommendation": "Ce que recommandent les fonctionnaires.",
        "next_steps": "La suite.",
        "talking_points": "Une liste : une ligne « - » par point.",
        "consultations": "La liste des organisations consultées.",
        "attachments": "La liste des pièces jointes.",
        "issue": "La question ou la décision, en une ou deux phrases.",
        "key_messages": "Une liste : une ligne « - » par message.",
        "if_pressed": "Nommez le sujet dans le titre, puis une liste de lignes.",
        "responsive_lines": "Une liste de lignes à n’utiliser que si l’on pose la question.",
        "qa": "Un « ### Question? » par question, la réponse en paragraphe dessous.",
        "event": "Une liste : « - Événement : … », « - Date : AAAA-MM-JJ », « - Heure : … », "
                 "« - Lieu : … ».",
        "participants": "Une liste : « - **Nom**, titre », une courte biographie aux lignes "
                        "suivantes, en retrait.",
        "objectives": "Une liste de ce que le ministre attend de la rencontre.",
        "agenda": "Une liste numérotée : « 1. point ».",
        "logistics": "Lieu, modalités, personnes présentes.",
    },
}


def key(text: str) -> str:
    """A heading or label as compared: no case, accents, colon, bold or underscores."""
    text = unicodedata.normalize("NFKD", text.strip().strip("*").strip())
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("’", "'").replace("_", " ").replace("-", " ")
    return " ".join(text.rstrip(": ").split())


# Sections a type prints under a label of its own: a QP note's key messages are its
# "Suggested Response", as the portal's list of QP notes names them.
TYPE_LABELS: dict[tuple[str, str], str] = {("qp-note", "key_messages"): "suggested_response"}


def label(name: str, lang: str, note_type: str | None = None) -> str:
    """A field's heading in a language (in a type that names it otherwise, that name)."""
    return LABELS[lang][TYPE_LABELS.get((note_type or "", name), name)].rstrip(" :")


def _names(name: str) -> set[str]:
    return {key(name), *(key(label(name, lang)) for lang in LABELS)}


_BY_KEY: dict[str, str] = {
    **{k: name for name in KIND if name != "if_pressed" for k in _names(name)},
    **{key(label(name, lang, kind)): name for kind, name in TYPE_LABELS for lang in LABELS}}
# "If pressed on <topic>": the longest prefix first ("if pressed on" before "if pressed").
_PRESSED = sorted(_names("if_pressed"), key=len, reverse=True)


def match(heading: str) -> tuple[str, str | None] | None:
    """The field a heading names, and for "If pressed on TOPIC" the topic as written."""
    found = key(heading)
    if found in _BY_KEY:
        return _BY_KEY[found], None
    for prefix in _PRESSED:
        if found == prefix or found.startswith(prefix + " "):
            words = len(prefix.split())
            parts = heading.split(None, words)
            return "if_pressed", parts[words].strip() if len(parts) > words else ""
    return None


def sections_of(note_type: str) -> tuple[str, ...]:
    """The sections a type prints; every section for a type briefgen does not know."""
    return ORDER.get(note_type, tuple(KIND))


def suggest(heading: str, note_type: str, lang: str | None) -> str | None:
    """The section heading closest to a mistyped one, as the author would write it."""
    langs = [lang] if lang in LABELS else list(LABELS)
    shown = {key(label(n, lg, note_type)): label(n, lg, note_type)
             for n in sections_of(note_type) for lg in langs}
    close = difflib.get_close_matches(key(heading), list(shown), n=1, cutoff=0.6)
    return shown[close[0]] if close else None


def labelled(keys: dict[str, str]) -> dict[str, str]:
    """Label keys (``pros``) → every way to write them (``pros``, ``avantages``)."""
    return {k: name for name, label_key in keys.items() for k in
            {key(name), *(key(label(label_key, lang)) for lang in LABELS)}}


SIDES = labelled({"pros": "pros", "cons": "cons"})
EVENT_LINES = {**labelled(EVENT_KEYS), "titre": "title"}
