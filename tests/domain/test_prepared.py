"""core.prepared: the __any lookup, and queries compiled once then run with other values."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count

from core import prepared as prepared_module
from core.prepared import Prepared, Slot
from outcomes.models import Outcome
from tests.factories import make_outcome, make_summit

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes():
    summit = make_summit(start_date=datetime.date(2024, 5, 2))
    return [make_outcome(summit=summit, title=f"Outcome {n}") for n in range(5)]


def test_any_selects_what_in_selects(outcomes):
    ids = [o.pk for o in outcomes]
    for chosen in ([], ids[:1], ids[1:4], ids, [*ids, 10**12]):
        expected = set(Outcome.objects.filter(pk__in=chosen).values_list("pk", flat=True))
        assert set(Outcome.objects.filter(pk__any=chosen).values_list("pk", flat=True)) == expected
    slugs = [outcomes[0].slug, outcomes[3].slug, "no-such-outcome"]
    found = Outcome.objects.filter(slug__any=slugs).values_list("pk", flat=True)
    assert set(found) == {outcomes[0].pk, outcomes[3].pk}


def test_a_prepared_query_is_built_once_and_gives_the_rows_of_the_queryset(outcomes):
    built = []

    def query(title_prefix, ids):
        return (
            Outcome.objects.filter(pk__any=ids, title__startswith=title_prefix)
            .annotate(n_parties=Count("parties"))
            .order_by("pk")
            .values("pk", "slug", "summit__start_date", "n_parties")
        )

    def build(title_prefix):
        built.append(title_prefix)
        return query(title_prefix, Slot("ids"))

    prepared = Prepared(build)
    ids = [o.pk for o in outcomes]
    for chosen in (ids[:2], ids[2:], [], ids):
        rows = prepared.rows(("Outcome",), ids=chosen)
        assert rows == list(query("Outcome", chosen))
    assert built == ["Outcome"]
    # Django's converters apply: a date is a date on SQLite too.
    assert rows[0]["summit__start_date"] == datetime.date(2024, 5, 2)
    # Another key is another query; the oldest key goes when more than `size` are kept.
    assert prepared.rows(("No such title",), ids=ids) == []
    small = Prepared(build, size=1)
    small.rows(("Outcome",), ids=ids)
    small.rows(("Out",), ids=ids)
    small.rows(("Outcome",), ids=ids)
    assert list(small.compiled) == [("default", "Outcome")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_statement_again(outcomes):
    prepared = Prepared(lambda: Outcome.objects.filter(pk__any=Slot("ids")).values("pk"))
    ids = [o.pk for o in outcomes]
    assert len(prepared.rows((), ids=ids)) == len(ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
    connection.close()  # as CONN_MAX_AGE or a lost connection would
    assert len(prepared.rows((), ids=ids[:2])) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_connection_keeps_a_bounded_number_of_statements_prepared(outcomes, monkeypatch):
    # Keys evicted and compiled again get new names: the oldest statements are given up.
    monkeypatch.setattr(prepared_module, "STATEMENTS_PER_CONNECTION", 3)
    prepared = Prepared(
        lambda title: Outcome.objects.filter(pk__any=Slot("ids"), title=title).values("pk"),
        size=2,
    )
    ids = [o.pk for o in outcomes]
    connection.close()
    for _round in range(4):  # three keys, room for two: each round compiles and names anew
        for title in ("Outcome 0", "Outcome 1", "Outcome 2"):
            assert prepared.rows((title,), ids=ids) == [{"pk": outcomes[int(title[-1])].pk}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 3
