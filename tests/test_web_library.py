"""briefgen serve: library search, record page, the `[@` picker, add a record, import."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.webclient import client, csrf


def test_search_marks_the_words_and_filters(workspace: Path) -> None:
    web = client(workspace)
    page = web.get("/library", params={"q": "border"}).text
    assert '<a href="/library/records/news-article"><mark>Border</mark> talks continue</a>' in page
    assert re.search(r"Officials met to discuss the <mark>border</mark>", page)
    only_atip = web.get("/library", params={"q": "border", "kind": "atip"}).text
    assert "/library/records/atip-note" in only_atip and "news-article" not in only_atip
    tagged = web.get("/library", params={"tag": "border"}).text
    assert "/library/records/news-article" in tagged and "atip-note" not in tagged
    dated = web.get("/library", params={"since": "2024-12-01", "until": "2024-12-31"}).text
    assert "/library/records/news-article" in dated and "atip-note" not in dated
    phrase = web.get("/library", params={"q": '"keep working together"'}).text
    assert "/library/records/news-article" in phrase
    bad = web.get("/library", params={"since": "last week"})
    assert bad.status_code == 400 and "is not a date; write it as YYYY-MM-DD" in bad.text


def test_the_record_page_shows_quotes_with_speaker(workspace: Path) -> None:
    page = client(workspace).get("/library/records/news-article").text
    assert "<h1>Border talks continue</h1>" in page
    assert "“We will keep working together.”" in page and "A spokesperson" in page
    missing = client(workspace).get("/library/records/no-such")
    assert missing.status_code == 400 and "no record &#39;no-such&#39; in the library" in missing.text


def test_the_citation_picker_lists_keys_to_insert(workspace: Path) -> None:
    page = client(workspace).get("/library/suggest", params={"q": "talks"}).text
    assert '<button type="button" data-key="news-article">news-article: Border <mark>talks</mark> continue' in page


def test_add_a_record_shows_model_errors_next_to_the_field(workspace: Path) -> None:
    web = client(workspace)
    bad = web.post("/library/add", data={"csrf": csrf(web), "kind": "news", "title": "A title",
                                         "url": "ftp://example.org/x", "date": "2024-13-40"})
    assert bad.status_code == 422
    assert re.search(r'id="f-(url|date)"[^>]*aria-invalid="true"', bad.text)
    assert '<span class="field-error" id="e-' in bad.text
    assert sorted(p.name for p in (workspace / "sources").iterdir()) == \
        ["atip-note.yaml", "memo-text.md", "news-article.yaml", "stats.json"]
    missing = web.post("/library/add", data={"csrf": csrf(web), "kind": "news"})
    assert '<span class="field-error" id="e-title">required</span>' in missing.text
    good = web.post("/library/add", data={
        "csrf": csrf(web), "kind": "news", "title": "A new story", "publisher": "Daily",
        "date": "2025-01-02", "tags": "border, trade", "quotes": "One line.\nTwo lines."})
    assert good.status_code == 303
    key = good.headers["location"].rsplit("/", 1)[1]
    text = (workspace / "sources" / f"{key}.yaml").read_text()
    assert "title: A new story" in text and "- text: Two lines." in text and "trade" in text


def test_import_a_csl_json_upload_shows_the_report(workspace: Path) -> None:
    web = client(workspace)
    items = [{"id": "x", "type": "article-newspaper", "title": "Imported story",
              "issued": {"date-parts": [[2025, 2, 3]]}, "container-title": "The Paper"},
             {"id": "y", "type": "article"}]
    answer = web.post("/library/import", data={"csrf": csrf(web), "as": "csl"},
                      files={"file": ("../../evil name.json", json.dumps(items), "application/json")})
    assert answer.status_code == 200
    assert re.search(r"added sources/[\w.-]+\.yaml: Imported story", answer.text)
    assert "1 added, 0 skipped, 1 rejected" in answer.text
    assert "evil name.json" in answer.text and "briefgen-upload" not in answer.text
    assert not list(workspace.parent.glob("evil*"))
    broken = web.post("/library/import", data={"csrf": csrf(web), "as": "csl"},
                      files={"file": ("x.json", "{not json", "application/json")})
    assert broken.status_code == 400 and "briefgen: error: x.json" in broken.text
    assert "briefgen-upload" not in broken.text
