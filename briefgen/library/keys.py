"""What makes two records the same one, for imports: the address without its tracking
parameters, else the title and date. The index stores both keys of every record so an
import finds a duplicate with one indexed lookup."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

TRACKING = ("utm_", "fbclid=", "gclid=", "mc_cid=", "mc_eid=")


def clean_url(url: str) -> str:
    """An address without its tracking parameters (utm_source=rss...)."""
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith(TRACKING))
    return parts._replace(query=query).geturl()


def url_key(url: str) -> str:
    """An address as compared for duplicates: no scheme, www., fragment or tracking query."""
    parts = urlsplit(clean_url(url))
    path = parts.path.rstrip("/") or "/"
    return parts.netloc.lower().removeprefix("www.") + path + (f"?{parts.query}" if parts.query else "")


def title_key(title: str, date: Any) -> str:
    return " ".join(re.findall(r"\w+", title.casefold())) + f"|{date or ''}"
