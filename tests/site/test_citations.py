"""Suggested citations on the summit, outcome and actor pages, and their BibTeX, RIS and
CSL-JSON downloads: the day read as known_at (and the reader's as_of) in the address, so
that the cited view can be opened again as it was."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.factories import make_actor, make_outcome, make_summit, make_update

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def outcome():
    summit = make_summit(name="Tokyo summit", slug="tokyo", start_date=D(2025, 6, 6))
    outcome = make_outcome(summit=summit, slug="hotlines", title="Hotlines & 100% {reopened}")
    make_update(outcome, effective_date=D(2025, 7, 1))
    return outcome


def test_each_page_suggests_a_citation_with_the_day_read(client, outcome):
    today = timezone.localdate().isoformat()
    actor = make_actor(slug="north-korea", name="North Korea")
    for path in ["/outcomes/hotlines/", "/summits/tokyo/", f"/actors/{actor.slug}/"]:
        html = client.get(path).content.decode()
        assert 'class="citation"' in html, path
        assert f"{path}?known_at={today}" in html, path
        assert "citation.bib" in html and "citation.ris" in html and "citation.json" in html


def test_the_downloads_carry_known_at_and_as_of(client, outcome):
    query = "?known_at=2026-01-05&as_of=2025-08-01"
    url = "http://testserver/outcomes/hotlines/?known_at=2026-01-05&as_of=2025-08-01"
    bib = client.get(f"/outcomes/hotlines/citation.bib{query}")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    text = bib.content.decode()
    assert f"url = {{{url}}}" in text and "urldate = {2026-01-05}" in text
    # LaTeX's special characters are escaped; the author is braced as an organisation.
    assert r"Hotlines \& 100\% \{reopened\}, Tokyo summit" in text
    assert "author = {{Summit Outcome Tracker}}" in text
    ris = client.get(f"/outcomes/hotlines/citation.ris{query}").content.decode()
    assert f"UR  - {url}\r\n" in ris and "Y2  - 2026/01/05\r\n" in ris
    assert ris.startswith("TY  - ELEC\r\n") and ris.endswith("ER  - \r\n")
    [item] = json.loads(client.get(f"/outcomes/hotlines/citation.json{query}").content)
    assert item["URL"] == url
    assert item["accessed"] == {"date-parts": [[2026, 1, 5]]}
    assert item["genre"] == "Commitment record, status as of 1 August 2025"


def test_the_cited_address_opens_the_view_cited(client, outcome):
    [item] = json.loads(client.get("/outcomes/hotlines/citation.json").content)
    assert client.get(item["URL"]).status_code == 200


def test_drafts_unknown_records_and_bad_dates_are_not_cited(client, outcome):
    make_outcome(summit=outcome.summit, slug="draft", published=False)
    assert 'class="citation"' not in client.get("/outcomes/unknown/").content.decode()
    assert client.get("/outcomes/draft/citation.bib").status_code == 404
    assert client.get("/outcomes/nope/citation.bib").status_code == 404
    assert client.get("/outcomes/hotlines/citation.doc").status_code == 404
    assert client.get("/processes/x/citation.bib").status_code == 404
    response = client.get("/outcomes/hotlines/citation.bib?known_at=2999-01-01")
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
