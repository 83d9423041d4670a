"""Label catalogues: every word the built-in templates print, per language.

Staff override any of them in briefgen.toml under ``[labels.en]`` or
``[labels.fr]``; templates reach them as ``labels.<key>``.
"""
from __future__ import annotations

from collections.abc import Mapping

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "memo_title": "MEMORANDUM TO THE MINISTER",
        "purpose_information": "FOR INFORMATION",
        "purpose_decision": "FOR DECISION",
        "purpose_signature": "FOR SIGNATURE",
        "to": "To:",
        "from": "From:",
        "subject": "Subject:",
        "date": "Date:",
        "tracking_number": "Tracking no.:",
        "summary": "Summary",
        "background": "Background",
        "current_status": "Current Status",
        "considerations": "Considerations",
        "options": "Options",
        "option": "Option",
        "pros": "Pros",
        "cons": "Cons",
        "recommendation": "Recommendation",
        "next_steps": "Next Steps",
        "talking_points": "Talking Points",
        "attachments": "Attachments",
        "consultations": "Consultations",
        "prepared_by": "Prepared by:",
        "approved_by": "Approved by:",
        "sources": "Sources",
        "other_sources": "Other Sources Consulted",
        "page_x_of_y": "Page {page} of {pages}",
    },
    "fr": {
        "memo_title": "NOTE DE SERVICE AU MINISTRE",
        "purpose_information": "POUR INFORMATION",
        "purpose_decision": "POUR DÉCISION",
        "purpose_signature": "POUR SIGNATURE",
        "to": "Destinataire :",
        "from": "Expéditeur :",
        "subject": "Objet :",
        "date": "Date :",
        "tracking_number": "No de suivi :",
        "summary": "Résumé",
        "background": "Contexte",
        "current_status": "Situation actuelle",
        "considerations": "Considérations",
        "options": "Options",
        "option": "Option",
        "pros": "Avantages",
        "cons": "Inconvénients",
        "recommendation": "Recommandation",
        "next_steps": "Prochaines étapes",
        "talking_points": "Points de discussion",
        "attachments": "Pièces jointes",
        "consultations": "Consultations",
        "prepared_by": "Préparé par :",
        "approved_by": "Approuvé par :",
        "sources": "Sources",
        "other_sources": "Autres sources consultées",
        "page_x_of_y": "Page {page} de {pages}",
    },
}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
           "août", "septembre", "octobre", "novembre", "décembre"],
}


def labels_for(lang: str, overrides: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The built-in catalogue for ``lang`` with the workspace's overrides on top."""
    return {**LABELS[lang], **overrides.get(lang, {})}
