"""The interface's words in English and French, and which language a request gets.

A ``lang`` cookie (set by the toggle) wins; else the best ``Accept-Language``
match; else English. Note and brief text is never translated here.
"""
from __future__ import annotations

from collections.abc import Callable

LANGS = ("en", "fr")

WORDS: dict[str, dict[str, str]] = {
    "app": {"en": "briefgen", "fr": "briefgen"},
    "skip": {"en": "Skip to content", "fr": "Aller au contenu"},
    "nav": {"en": "Main", "fr": "Principal"},
    "briefs": {"en": "Briefs", "fr": "Notes"},
    "library": {"en": "Library", "fr": "Bibliothèque"},
    "outputs": {"en": "Outputs", "fr": "Documents"},
    "templates": {"en": "Templates", "fr": "Gabarits"},
    "digest": {"en": "Digest", "fr": "Condensé"},
    "other_lang": {"en": "Français", "fr": "English"},
    "switch_lang": {"en": "Afficher en français", "fr": "Display in English"},
    "login": {"en": "Sign in", "fr": "Ouvrir une session"},
    "logout": {"en": "Sign out", "fr": "Fermer la session"},
    "password": {"en": "Access token", "fr": "Jeton d'accès"},
    "bad_login": {"en": "That token is not right.", "fr": "Ce jeton n'est pas le bon."},
    "subject": {"en": "Subject", "fr": "Objet"},
    "type": {"en": "Type", "fr": "Type"},
    "date": {"en": "Date", "fr": "Date"},
    "language": {"en": "Language", "fr": "Langue"},
    "marking": {"en": "Marking", "fr": "Cote"},
    "checks": {"en": "Checks", "fr": "Vérifications"},
    "errors": {"en": "errors", "fr": "erreurs"},
    "warnings": {"en": "warnings", "fr": "avertissements"},
    "unreadable": {"en": "cannot be read", "fr": "illisible"},
    "new_brief": {"en": "New brief", "fr": "Nouvelle note"},
    "name": {"en": "File name (optional)", "fr": "Nom du fichier (facultatif)"},
    "create": {"en": "Create", "fr": "Créer"},
    "no_briefs": {"en": "No briefs yet.", "fr": "Aucune note pour l'instant."},
    "edit": {"en": "Edit", "fr": "Modifier"},
    "editor": {"en": "Brief", "fr": "Note"},
    "preview": {"en": "Preview", "fr": "Aperçu"},
    "preview_title": {"en": "The note as it will look", "fr": "La note telle qu'elle paraîtra"},
    "refresh": {"en": "Refresh preview and checks", "fr": "Actualiser l'aperçu et les vérifications"},
    "reload": {"en": "Reload", "fr": "Actualiser"},
    "workspace": {"en": "this workspace", "fr": "cet espace"},
    "builtin": {"en": "built in", "fr": "intégré"},
    "overrides": {"en": "replaces the built-in", "fr": "remplace celui intégré"},
    "no_problems": {"en": "No problems in templates.", "fr": "Aucun problème dans les gabarits."},
    "actions": {"en": "Actions", "fr": "Actions"},
    "save": {"en": "Save", "fr": "Enregistrer"},
    "saved": {"en": "Saved.", "fr": "Enregistré."},
    "findings": {"en": "Check findings", "fr": "Résultats des vérifications"},
    "no_findings": {"en": "No problems found.", "fr": "Aucun problème."},
    "line": {"en": "line", "fr": "ligne"},
    "conflict": {"en": "This brief was changed on disk since you opened it. Nothing was "
                 "saved. Both versions are below: copy what you need into the editor, "
                 "then save again to replace the version on disk.",
                 "fr": "Cette note a été modifiée sur le disque depuis son ouverture. Rien "
                 "n'a été enregistré. Les deux versions sont ci-dessous : copiez ce qu'il "
                 "vous faut dans l'éditeur, puis enregistrez de nouveau pour remplacer la "
                 "version du disque."},
    "yours": {"en": "Your version", "fr": "Votre version"},
    "on_disk": {"en": "The version on disk", "fr": "La version du disque"},
    "cite_search": {"en": "Find a source to cite", "fr": "Trouver une source à citer"},
    "cite_hint": {"en": "Type [@ in the brief to search the library.",
                  "fr": "Tapez [@ dans la note pour chercher dans la bibliothèque."},
    "type_words": {"en": "Type a few words of the title or text.",
                   "fr": "Tapez quelques mots du titre ou du texte."},
    "close": {"en": "Close", "fr": "Fermer"},
    "search": {"en": "Search", "fr": "Rechercher"},
    "words": {"en": "Words or \"a phrase\"", "fr": "Mots ou « une expression »"},
    "tag": {"en": "Tag", "fr": "Étiquette"},
    "kind": {"en": "Kind", "fr": "Genre"},
    "since": {"en": "From", "fr": "Du"},
    "until": {"en": "To", "fr": "Au"},
    "classification": {"en": "Classification", "fr": "Classification"},
    "any": {"en": "any", "fr": "tous"},
    "results": {"en": "Results", "fr": "Résultats"},
    "no_results": {"en": "No record matches.", "fr": "Aucune fiche ne correspond."},
    "title": {"en": "Title", "fr": "Titre"},
    "publisher": {"en": "Publisher", "fr": "Éditeur"},
    "summary": {"en": "Summary", "fr": "Résumé"},
    "key_facts": {"en": "Key facts", "fr": "Faits saillants"},
    "quotes": {"en": "Quotes", "fr": "Citations"},
    "text": {"en": "Text", "fr": "Texte"},
    "insert_quote": {"en": "Insert in a brief", "fr": "Insérer dans une note"},
    "brief": {"en": "Brief", "fr": "Note"},
    "insert": {"en": "Insert", "fr": "Insérer"},
    "page": {"en": "page", "fr": "page"},
    "add_record": {"en": "Add a record", "fr": "Ajouter une fiche"},
    "import": {"en": "Import", "fr": "Importer"},
    "feed_url": {"en": "Feed address (http or https)", "fr": "Adresse du fil (http ou https)"},
    "csl_file": {"en": "CSL-JSON file", "fr": "Fichier CSL-JSON"},
    "article_file": {"en": "Article file (HTML, Markdown or text)",
                     "fr": "Fichier d'article (HTML, Markdown ou texte)"},
    "report": {"en": "Report", "fr": "Rapport"},
    "authors": {"en": "Authors (one a line)", "fr": "Auteurs (un par ligne)"},
    "tags": {"en": "Tags (comma-separated)", "fr": "Étiquettes (séparées par des virgules)"},
    "url": {"en": "Address", "fr": "Adresse"},
    "build": {"en": "Build", "fr": "Produire"},
    "download": {"en": "Download", "fr": "Télécharger"},
    "build_all": {"en": "Build every brief", "fr": "Produire toutes les notes"},
    "formats": {"en": "Formats", "fr": "Formats"},
    "progress": {"en": "Progress", "fr": "Progression"},
    "built": {"en": "built", "fr": "produites"},
    "failed": {"en": "failed", "fr": "en échec"},
    "no_pdf": {"en": "PDF needs LibreOffice (soffice), which is not installed here.",
               "fr": "Le PDF demande LibreOffice (soffice), qui n'est pas installé ici."},
    "template": {"en": "Template", "fr": "Gabarit"},
    "origin": {"en": "From", "fr": "Provenance"},
    "eject": {"en": "Copy into the workspace to edit", "fr": "Copier dans l'espace pour modifier"},
    "check_templates": {"en": "Check every template", "fr": "Vérifier tous les gabarits"},
    "reference_docx": {"en": "Upload a restyled reference.docx",
                       "fr": "Téléverser un reference.docx restylé"},
    "upload": {"en": "Upload", "fr": "Téléverser"},
    "preview_on": {"en": "Preview on brief", "fr": "Aperçu sur la note"},
    "week": {"en": "Week (YYYY-Www)", "fr": "Semaine (AAAA-Sss)"},
    "show": {"en": "Show", "fr": "Afficher"},
    "send_now": {"en": "Send now", "fr": "Envoyer maintenant"},
    "no_smtp": {"en": "Sending needs [smtp] host in briefgen.toml.",
                "fr": "L'envoi demande [smtp] host dans briefgen.toml."},
    "sent": {"en": "Sent.", "fr": "Envoyé."},
    "problem": {"en": "Something needs fixing", "fr": "Quelque chose est à corriger"},
    "not_found": {"en": "Not found", "fr": "Introuvable"},
    "refused": {"en": "Request refused", "fr": "Requête refusée"},
    "internal": {"en": "The request could not be completed. The server log says why.",
                 "fr": "La requête n'a pu aboutir. Le journal du serveur en donne la raison."},
}


def pick(cookie: str | None, accept: str | None) -> str:
    """The interface language: the toggle's cookie, else the browser's first known choice."""
    if cookie in LANGS:
        return cookie
    choices = []
    for part in (accept or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        choices.append((weight, tag.split("-")[0].lower()))
    for _, lang in sorted(choices, key=lambda c: -c[0]):
        if lang in LANGS:
            return lang
    return "en"


def translator(lang: str) -> Callable[[str], str]:
    """``t("key")`` in templates: the word in ``lang``."""
    return lambda key: WORDS[key][lang]
