"""The analyst's sitting in the admin: from a summit's page to its outcomes and back, "Save and
add another" staying with the summit, and every save saying when the record is a draft."""

import re

import pytest

from outcomes.models import Outcome, OutcomeType
from summits.models import Summit
from tests.factories import (
    admin_url,
    form_data,
    make_outcome,
    make_source,
    make_summit,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def busan():
    summit = make_summit(name="Busan summit", slug="busan", published=False)
    make_outcome(summit=summit, order=1, title="Hotline agreed", published=False)
    make_outcome(summit=summit, order=2, title="Talks to go on")
    return summit


def new_outcome(client, summit, source, title: str, **extra) -> dict:
    """What the add form sends for a new outcome of summit, as the analyst fills it in."""
    data = form_data(client.get(admin_url(Outcome, "add"), {"summit": summit.pk}))
    data.update(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "type": OutcomeType.FOLLOW_UP_TALKS,
            "description": f"{title}, in the source's words.",
            "sources": [source.pk],
            **extra,
        }
    )
    return data


def test_the_summit_page_lists_its_outcomes_with_a_link_to_add_the_next(bob, busan):
    html = signed_in(bob).get(admin_url(Summit, "change", busan.pk)).content.decode()

    outcomes = html[html.index("Outcomes agreed") :]
    assert outcomes.index("Hotline agreed") < outcomes.index("Talks to go on")
    add = f'href="{admin_url(Outcome, "add")}?summit={busan.pk}"'
    assert add in html and "Add an outcome of this summit" in html


def test_a_new_outcome_of_a_summit_is_numbered_after_its_last(bob, busan):
    response = signed_in(bob).get(admin_url(Outcome, "add"), {"summit": busan.pk})

    form = response.context["adminform"].form
    assert form.initial["summit"] == str(busan.pk)
    assert form.initial["order"] == 3
    assert 'name="order" value="3"' in response.content.decode()


@pytest.mark.parametrize("summit", ["abc", "9" * 40, "-1", ""])
def test_a_bad_summit_in_the_address_gives_an_empty_form(bob, summit):
    response = signed_in(bob).get(admin_url(Outcome, "add"), {"summit": summit})
    assert response.status_code == 200
    assert "summit" not in response.context["adminform"].form.initial


def test_save_and_add_another_stays_with_the_summit_and_says_it_is_a_draft(bob, busan):
    client = signed_in(bob)
    data = new_outcome(client, busan, make_source(), "Aid framework", _addanother="1")

    response = client.post(admin_url(Outcome, "add"), data, follow=True)

    [(url, status)] = response.redirect_chain
    assert status == 302 and url == f"{admin_url(Outcome, 'add')}?summit={busan.pk}"
    assert response.context["adminform"].form.initial["order"] == 4
    messages = [str(m) for m in response.context["messages"]]
    assert any("Aid framework</a>” was added successfully" in m for m in messages)
    assert (
        "Outcome “Aid framework” is a draft: only signed-in staff see it until an editor "
        "publishes it." in messages
    )


def test_an_editor_is_told_how_to_publish_what_they_saved(alice, busan):
    client = signed_in(alice)
    data = new_outcome(client, busan, make_source(), "Aid framework")
    response = client.post(admin_url(Outcome, "add"), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert (
        "Outcome “Aid framework” is a draft: only signed-in staff see it until it is published: "
        "“Publish with everything under it” on its page." in messages
    )


def test_saving_a_published_record_says_nothing_of_drafts(alice, busan):
    published = Outcome.objects.get(title="Talks to go on")
    published.sources.add(make_source())
    client = signed_in(alice)
    page = client.get(admin_url(Outcome, "change", published.pk))
    assert re.search(r'name="version" value="\d+"', page.content.decode())
    response = client.post(
        admin_url(Outcome, "change", published.pk),
        {**form_data(page), "title": "Talks to go on, yearly"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages and not any("is a draft" in m for m in messages)


# --- Sources offered with one click ------------------------------------------------------------


def suggested(html: str) -> list[str]:
    return re.findall(r'class="source-suggestion" data-id="(\d+)"', html)


def test_a_new_outcome_is_offered_its_summits_sources_and_none_is_chosen(bob, busan):
    communique, report = make_source(title="Busan communiqué"), make_source(title="A report")
    busan.sources.add(communique, report)

    response = signed_in(bob).get(admin_url(Outcome, "add"), {"summit": busan.pk})

    html = response.content.decode()
    # Under the outcome's sources, its first status entry's, and the blank entry copied for
    # another: each of the summit's sources, in each.
    assert sorted(suggested(html)) == sorted([str(communique.pk), str(report.pk)] * 3)
    assert ">Busan communiqué</button>" in html
    assert not response.context["adminform"].form["sources"].value()  # nothing pre-selected
    assert "selected" not in re.search(r'<select name="sources".*?</select>', html, re.S).group()


def test_the_source_cited_last_in_the_sitting_is_offered_next(bob, busan):
    client = signed_in(bob)
    cited = make_source(title="Yonhap report")
    data = new_outcome(client, busan, cited, "Aid framework")
    client.post(admin_url(Outcome, "add"), data)
    aid = Outcome.objects.get(title="Aid framework")

    page = client.get(admin_url(Outcome, "change", aid.pk)).content.decode()

    # On its own page: its sources, the summit's, and the one cited last, each once; under
    # the outcome's sources field, the new status entry's, and the blank entry the page
    # copies for another.
    assert suggested(page).count(str(cited.pk)) == 3
    elsewhere = signed_in(bob).get(admin_url(Outcome, "add")).content.decode()
    assert str(cited.pk) not in suggested(elsewhere)  # another session: not offered
