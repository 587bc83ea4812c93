"""Deleting a record others depend on is refused with a clear message, never cascaded: in the
admin (which lists what depends on it) and in the model (whatever deletes it)."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from actors.models import Actor, Relationship, RelationshipKind, Source
from outcomes.models import Outcome
from summits.models import Summit
from tests.factories import (
    admin_url,
    make,
    make_actor,
    make_outcome,
    make_source,
    make_summit,
    make_update,
)


@pytest.fixture
def cited(db):
    """A source cited by an outcome and by one of its status updates."""
    source = make_source(title="Joint statement")
    outcome = make_outcome(title="Military hotline")
    outcome.sources.add(source)
    make_update(outcome, sources=[source])
    return source


def test_deleting_a_cited_source_in_the_admin_is_refused_naming_what_cites_it(admin_client, cited):
    url = admin_url(Source, "delete", cited.pk)

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    for refusal in (page, response):
        assert refusal.status_code == 200
        assert "would require deleting the following protected related objects" in refusal.text
        assert "Outcome citing it" in refusal.text and "Military hotline" in refusal.text
        assert "Status update citing it" in refusal.text
    assert Source.objects.filter(pk=cited.pk).exists()
    assert Outcome.objects.get().sources.get() == cited  # the citation is still there


def test_deleting_cited_sources_in_bulk_is_refused_too(admin_client, cited):
    uncited = make_source()

    response = admin_client.post(
        admin_url(Source, "changelist"),
        {"action": "delete_selected", "_selected_action": [cited.pk, uncited.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert "Outcome citing it" in response.text
    assert Source.objects.count() == 2  # nothing deleted, the uncited one neither


def test_a_source_nothing_cites_can_be_deleted(admin_client, db):
    source = make_source()

    response = admin_client.post(admin_url(Source, "delete", source.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_a_cited_source_cannot_be_deleted_outside_the_admin_either(cited, how):
    # atomic(): the refusal comes while deleting, and spoils the transaction it happens in.
    with pytest.raises(ProtectedError, match="cannot be deleted: 2 record"), transaction.atomic():
        if how == "instance":
            cited.delete()
        else:
            Source.objects.all().delete()

    assert Source.objects.filter(pk=cited.pk).exists()
    assert Outcome.objects.get().sources.get() == cited


def test_every_kind_of_citation_protects_a_source(db):
    """Each many-to-many field to Source, in any app, is found by the guard."""
    source = make_source()
    citing_fields = [rel for rel in Source._meta.related_objects if rel.many_to_many]
    # actors' descriptions, memberships, relationships, processes, summits, proposals,
    # stances, challenges, outcomes, claims, conditions, links across summits, status
    # updates, follow-ups and follow-up changes
    assert len(citing_fields) == 15
    summit = make_summit()
    summit.sources.add(source)

    with pytest.raises(ProtectedError, match="Summit"), transaction.atomic():
        source.delete()


def test_deleting_a_summit_with_outcomes_is_refused(admin_client, db):
    outcome = make_outcome()

    response = admin_client.post(admin_url(Summit, "delete", outcome.summit_id), {"post": "yes"})

    assert response.status_code == 200
    assert "protected related objects" in response.text
    assert outcome.title in response.text
    assert Summit.objects.filter(pk=outcome.summit_id).exists()


def test_deleting_an_actor_others_have_a_relationship_with_is_refused(admin_client, db):
    korea, japan = make_actor(name="South Korea"), make_actor(name="Japan")
    make(Relationship, actor=korea, other=japan, kind=RelationshipKind.GOOD_RELATIONS)

    response = admin_client.post(admin_url(Actor, "delete", japan.pk), {"post": "yes"})

    assert response.status_code == 200
    assert "protected related objects" in response.text
    assert "South Korea" in response.text
    assert Actor.objects.filter(pk=japan.pk).exists()
    assert Relationship.objects.count() == 1
