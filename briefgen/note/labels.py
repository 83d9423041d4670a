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
        "contact": "Contact:",
        "sources": "Sources",
        "other_sources": "Other Sources Consulted",
        "page_x_of_y": "Page {page} of {pages}",
        # Note types
        "qp_title": "QUESTION PERIOD NOTE",
        "media_title": "MEDIA LINES",
        "meeting_title": "MEETING BRIEF",
        "issue": "Issue",
        "key_messages": "Key Messages",
        "suggested_response": "Suggested Response",
        "if_pressed": "If pressed on",
        "responsive_lines": "Responsive Lines",
        "qa": "Anticipated Questions and Answers",
        "question": "Q:",
        "answer": "A:",
        "spokesperson": "Spokesperson:",
        "approval_status": "Approval status:",
        "status_draft": "Draft",
        "status_pending": "Pending approval",
        "status_approved": "Approved",
        "event": "Event",
        "event_name": "Event:",
        "time": "Time:",
        "location": "Location:",
        "participants": "Participants",
        "objectives": "Objectives",
        "agenda": "Agenda",
        "logistics": "Logistics",
        "decision": "Minister’s Decision",
        "approve": "I approve",
        "not_approve": "I do not approve",
        "signature": "Signature:",
        "deputy_minister": "Deputy Minister:",
        # HTML
        "notes": "Notes",
        "back_to_text": "Back to text",
        "marking": "Security classification",
    },
    "fr": {
        "memo_title": "NOTE AU MINISTRE",
        "purpose_information": "POUR INFORMATION",
        "purpose_decision": "POUR DÉCISION",
        "purpose_signature": "POUR SIGNATURE",
        "to": "Destinataire :",
        "from": "Expéditeur :",
        "subject": "Objet :",
        "date": "Date :",
        "tracking_number": "Nº de suivi :",
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
        "contact": "Personne-ressource :",
        "sources": "Sources",
        "other_sources": "Autres sources consultées",
        "page_x_of_y": "Page {page} de {pages}",
        # Types de notes
        "qp_title": "NOTE POUR LA PÉRIODE DES QUESTIONS",
        "media_title": "LIGNES MÉDIAS",
        "meeting_title": "NOTE DE BREFFAGE POUR LA RENCONTRE",
        "issue": "Enjeu",
        "key_messages": "Messages clés",
        "suggested_response": "Réponse suggérée",
        "if_pressed": "Si l’on insiste sur",
        "responsive_lines": "Lignes réactives",
        "qa": "Questions et réponses prévues",
        "question": "Q :",
        "answer": "R :",
        "spokesperson": "Porte-parole :",
        "approval_status": "État de l’approbation :",
        "status_draft": "Ébauche",
        "status_pending": "En attente d’approbation",
        "status_approved": "Approuvé",
        "event": "Événement",
        "event_name": "Événement :",
        "time": "Heure :",
        "location": "Lieu :",
        "participants": "Participants",
        "objectives": "Objectifs",
        "agenda": "Ordre du jour",
        "logistics": "Logistique",
        "decision": "Décision du ministre",
        "approve": "J’approuve",
        "not_approve": "Je n’approuve pas",
        "signature": "Signature :",
        "deputy_minister": "Sous-ministre :",
        # HTML
        "notes": "Notes",
        "back_to_text": "Retour au texte",
        "marking": "Classification de sécurité",
    },
}

# Babel locales for dates: Canadian English and French.
LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def misspelled_labels(overrides: Mapping[str, Mapping[str, str]],
                      lang: str) -> list[tuple[str, str]]:
    """Settings keys that are no label but close to one: ``(key, the label meant)``.
    A key close to none is a label of the workspace's own templates, and fine."""
    import difflib

    known = list(LABELS[lang])
    found = []
    for key in overrides.get(lang, {}):
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
        if key not in LABELS[lang] and close:
            found.append((key, close[0]))
    return found


def labels_for(lang: str, overrides: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The built-in catalogue for ``lang`` with the workspace's overrides on top."""
    return {**LABELS[lang], **overrides.get(lang, {})}
