"""The benchmark's work inside Django, run by bench/run.py as a subprocess per database
(DATABASE_URL and the other settings come from its environment). Prints JSON.

    tasks.py plan                 which records and filters the measured pages use
    tasks.py session              a signed-in superuser's session cookie, for the admin
    tasks.py queries URL...       per URL: status, queries, database time, slowest query
    tasks.py csv-memory URL...    per URL: rows streamed and the peak Python memory it took
    tasks.py imports              seconds to check and to import 5,000-row CSV files
    tasks.py alerts               send_alerts for 10,000 subscriptions: time and queries
"""

import datetime
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from actors.models import Actor  # noqa: E402
from outcomes.models import (  # noqa: E402
    Claim,
    Condition,
    ConditionKind,
    FollowUp,
    Outcome,
    OutcomeLink,
    OutcomeParty,
    PartyRole,
    StatusUpdate,
)
from outcomes.models.choices import OutcomeType, Status  # noqa: E402
from summits.models import Process, Summit  # noqa: E402

BENCH_USER = "bench"
EXPORT_ROWS = 10_000
IMPORT_ROWS = 5_000


def _number(slug: str) -> int:
    """synthetic-outcome-42 -> 42: the generator's order, the same on every database (the
    databases' collations sort slugs differently)."""
    return int(slug.rsplit("-", 1)[1])


def _median(rows: list[tuple[str, int]]) -> str:
    """The slug of the median row by count (ties broken by generation order)."""
    rows = sorted(rows, key=lambda row: (row[1], _number(row[0])))
    return rows[len(rows) // 2][0]


def _due_before_for(rows: int) -> tuple[str | None, int]:
    """A due_before date selecting about `rows` published outcomes (None: all of them)."""
    outcomes = Outcome.objects.published()
    if outcomes.count() <= rows:
        return None, outcomes.count()
    dates = outcomes.filter(due_date__isnull=False).order_by("due_date")
    if dates.count() < rows:
        return None, outcomes.count()
    date = dates.values_list("due_date", flat=True)[rows - 1]
    return date.isoformat(), outcomes.filter(due_date__lte=date).count()


def _longest_path(edges) -> tuple[int | None, int]:
    """Over directed edges (source, target): the node where the longest path ends, and its
    length in edges (None, 0 without edges). Nodes on a cycle, which the data should not
    have, are left out rather than followed forever."""
    following, waiting = defaultdict(list), Counter()
    for source, target in edges:
        following[source].append(target)
        waiting[target] += 1
    depth = dict.fromkeys([*following, *waiting], 0)
    ready = [node for node in depth if not waiting[node]]
    while ready:
        node = ready.pop()
        for target in following[node]:
            depth[target] = max(depth[target], depth[node] + 1)
            waiting[target] -= 1
            if not waiting[target]:
                ready.append(target)
    if not depth:
        return None, 0
    end = max(depth, key=lambda node: (depth[node], -node))
    return end, depth[end]


def _slug(outcome_id: int | None) -> str | None:
    return Outcome.objects.get(pk=outcome_id).slug if outcome_id else None


def plan() -> dict:
    today = timezone.localdate()
    outcomes = Outcome.objects.published()
    middle = outcomes.count() // 2
    # An outcome in the middle of the dataset with a follow-up and an origin, so that its
    # page shows every part.
    typical_outcome = min(
        outcomes.filter(parent__isnull=True, follow_ups__isnull=False, origins__isnull=False)
        .values_list("slug", flat=True)
        .distinct(),
        key=lambda slug: abs(_number(slug) - middle),
    )
    summit_sizes = Summit.objects.annotate(n=Count("outcomes")).values_list("slug", "n")
    actor_sizes = list(
        Actor.objects.annotate(n=Count("outcome_parties__outcome", distinct=True))
        .filter(n__gt=0)
        .values_list("slug", "n")
    )
    busiest = max(actor_sizes, key=lambda row: (row[1], -_number(row[0])))
    # Scorecards: the largest summit, and the actors responsible for about 300 commitments
    # and for the most.
    largest_summit = max(summit_sizes, key=lambda row: (row[1], -_number(row[0])))
    responsible = list(
        Actor.objects.annotate(
            n=Count("outcome_parties", filter=Q(outcome_parties__role=PartyRole.RESPONSIBLE))
        )
        .filter(n__gt=0)
        .values_list("slug", "n")
    )
    near_300 = min(responsible, key=lambda row: (abs(row[1] - 300), _number(row[0])))
    most_responsible = max(responsible, key=lambda row: (row[1], -_number(row[0])))
    typical_actor = _median(actor_sizes)
    # The outcome at the end of the longest chain of links (earlier -> later), and the one
    # at the head of the longest chain of "requires" conditions (each waits on the next).
    lineage_end, lineage_steps = _longest_path(
        OutcomeLink.objects.published().values_list("earlier_id", "later_id")
    )
    chain_head, chain_depth = _longest_path(
        Condition.objects.published()
        .filter(kind=ConditionKind.REQUIRES)
        .values_list("required_id", "outcome_id")
    )
    process_sizes = list(
        Process.objects.published().annotate(n=Count("summits")).values_list("slug", "n")
    )
    largest_process = max(process_sizes, key=lambda row: (row[1], -_number(row[0])), default=None)
    big_date, big_rows = _due_before_for(EXPORT_ROWS)
    small_date, small_rows = _due_before_for(max(1, big_rows // 10))
    return {
        "today": today.isoformat(),
        "as_of": today.replace(year=today.year - 1).isoformat(),
        "outcome": typical_outcome,
        "summit": _median(list(summit_sizes)),
        "actor": typical_actor,
        "actor_id": Actor.objects.get(slug=typical_actor).pk,
        "actor_outcomes": dict(actor_sizes)[typical_actor],
        "busiest_actor": busiest[0],
        "busiest_actor_outcomes": busiest[1],
        "scorecard_summit": largest_summit[0],
        "scorecard_summit_outcomes": largest_summit[1],
        "scorecard_actor": near_300[0],
        "scorecard_actor_outcomes": near_300[1],
        "scorecard_busiest_actor": most_responsible[0],
        "scorecard_busiest_actor_outcomes": most_responsible[1],
        "lineage_outcome": _slug(lineage_end),
        "lineage_steps": lineage_steps,
        "condition_outcome": _slug(chain_head),
        "condition_depth": chain_depth,
        "process": largest_process[0] if largest_process else None,
        "process_summits": largest_process[1] if largest_process else 0,
        "status": "in_progress",
        "text": "hotline",
        "export": {"due_before": big_date, "rows": big_rows},
        "export_small": {"due_before": small_date, "rows": small_rows},
        "sizes": {
            "outcomes": Outcome.objects.count(),
            "status updates": StatusUpdate.objects.count(),
            "summits": Summit.objects.count(),
            "actors": Actor.objects.count(),
            "parties": OutcomeParty.objects.count(),
            "assessments of a party's side": StatusUpdate.objects.of_parties().count(),
            "follow-ups": FollowUp.objects.count(),
            "processes": Process.objects.count(),
            "summits in a process": Summit.objects.filter(process__isnull=False).count(),
            "claims": Claim.objects.count(),
            "conditions": Condition.objects.count(),
            "links across summits": OutcomeLink.objects.count(),
            "overdue outcomes": outcomes.overdue(today).count(),
            "outcomes matching the text": outcomes.filter(
                Q(title__icontains="hotline") | Q(description__icontains="hotline")
            ).count(),
        },
    }


def session() -> dict:
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"cookie": f"{name}={client.cookies[name].value}"}


def _client(url: str) -> Client:
    client = Client()
    if url.startswith("/admin/"):
        client.force_login(get_user_model().objects.get(username=BENCH_USER))
    return client


def queries(urls: list[str]) -> dict:
    """Each URL twice, with the caches emptied first: the first request (cold) renders the
    page and fills the caches (core/cache.py: whole-dataset figures, and whole pages
    unless CACHE_PAGES=0) and per-process ones (content types, the session), and is timed;
    the second is measured as a warm worker under load serves it."""
    results = {}
    for url in urls:
        client = _client(url)
        for each in caches.all(initialized_only=True):
            each.clear()
        with CaptureQueriesContext(connection) as cold:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            cold_ms = (time.perf_counter() - started) * 1000
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        times = [float(query["time"]) * 1000 for query in captured.captured_queries]
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        results[url] = {
            "status": response.status_code,
            "queries": len(times),
            "db_ms": round(sum(times), 1),
            "median_query_ms": round(statistics.median(times), 2) if times else 0,
            "slowest_ms": round(max(times), 1) if times else 0,
            "slowest_sql": slowest["sql"][:400] if slowest else "",
            "bytes": len(body),
            "cold_ms": round(cold_ms, 1),
            "cold_queries": len(cold.captured_queries),
        }
    return results


def csv_memory(urls: list[str]) -> dict:
    """The peak Python memory (tracemalloc) while streaming each export, beyond what was
    allocated before: flat means it does not grow with the rows."""
    results = {}
    client = Client()
    for url in urls:
        client.get(url)  # warm: imports, compiled templates, connection
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        response = client.get(url)
        rows = size = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        results[url] = {"rows": rows - 1, "bytes": size, "peak_kib": round(peak / 1024)}
    return results


def _table_file(table, records, edit=None) -> bytes:
    """records as rows of table's release file (tracker.releases), each passed through
    edit(row) (a dict of cells) first."""
    from core import csvfile

    plain = [f for f in table.fields if not f.many_to_many]
    lists = {}
    for f in table.fields:
        if f.many_to_many:
            through = f.remote_field.through
            own, other = f.m2m_field_name(), f.m2m_reverse_field_name()
            pairs = through.objects.filter(**{f"{own}__in": records}).order_by(f"{other}_id")
            for owner, item in pairs.values_list(f"{own}_id", f"{other}_id"):
                lists.setdefault(f.name, {}).setdefault(owner, []).append(str(item))
    writer = csvfile.Writer()
    names = [f.name for f in table.fields]
    lines = [writer.row(names)]
    for values in records.values_list(*(f.attname for f in plain)):
        row = dict(zip(names, values, strict=False))
        for name, by_owner in lists.items():
            row[name] = ";".join(by_owner.get(values[0], []))
        for name in names:
            row.setdefault(name, "")
        lines.append(writer.row((edit or dict)(row).values()))
    return "".join(lines).encode()


def imports() -> dict:
    """The import's dry run and the import of three 5,000-row files by an editor (who
    publishes what is new), each in a transaction rolled back afterwards: new status entries,
    outcomes edited, new outcomes. Target: under a minute each."""
    from tracker.imports import IMPORTABLE, apply
    from tracker.imports import plan as dry_run

    user = get_user_model().objects.get(username=BENCH_USER)
    outcomes = Outcome.objects.public().order_by("pk")[:IMPORT_ROWS]
    entries = StatusUpdate.objects.public().filter(
        pk__in=StatusUpdate.objects.public()
        .filter(outcome__in=outcomes.values("pk"), party=None, corrects=None)
        .values("outcome")
        .annotate(last=models.Max("pk"))
        .values("last")
    )
    today = timezone.localdate().isoformat()

    def new_entry(row):
        return {**row, "id": "", "effective_date": today, "summary": "Benchmark entry."}

    def edited(row):
        return {**row, "title": row["title"] + " (edited)"}

    def new_outcome(row):
        return {**row, "id": "", "version": "", "slug": row["slug"] + "-imported"}

    entries_table, outcomes_table = IMPORTABLE["status_entries"], IMPORTABLE["outcomes"]
    files = {
        "new status entries": (entries_table, _table_file(entries_table, entries, new_entry)),
        "outcomes edited": (outcomes_table, _table_file(outcomes_table, outcomes, edited)),
        "new outcomes": (outcomes_table, _table_file(outcomes_table, outcomes, new_outcome)),
    }

    class Undo(Exception):
        pass

    results = {}
    for name, (table, content) in files.items():
        result = {"rows": content.count(b"\n") - 1}
        for step, run in (("check_s", dry_run), ("import_s", apply)):
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    done = run(table, content, user)
                    result[step] = round(time.perf_counter() - start, 1)
                    result["refused"] = sum(row.action == "refuse" for row in done.rows)
                    raise Undo
            except Undo:
                pass
        results[name] = result
    return results


ALERT_SUBSCRIPTIONS = 10_000
ALERT_CHANGES = 500


def alerts() -> dict:
    """send_alerts's three steps (the log read into changes, the changes matched to
    subscriptions, the alerts sent to a real SMTP server in this process) for 10,000
    confirmed subscriptions (outcomes, actors, summits, processes and saved searches; most
    immediately, some daily or weekly) and 500 status entries published at once; then the
    digests, at the end of their period. In a transaction rolled back afterwards."""
    import random

    from django.db import connection as db
    from django.test.utils import override_settings

    from outcomes.services import save_status_updates
    from tests.mailbox import mailbox_serving
    from tracker.alerts import news, planning
    from tracker.alerts.sending import Outbox
    from tracker.models import Alert, AlertAddress, AlertChange, Followed, Frequency, Subscription

    class Settings(dict):  # what mailbox_serving sets, applied with override_settings
        def __setattr__(self, name, value):
            self[name] = value

    wanted = Settings()
    box, controller = mailbox_serving(wanted)
    user = get_user_model().objects.filter(username=BENCH_USER).first()  # None: a script
    rng = random.Random(7)
    outcome_ids = list(Outcome.objects.public().values_list("pk", flat=True))
    kinds = [
        (Followed.OUTCOME, 4_000, outcome_ids),
        (Followed.ACTOR, 2_500, list(Actor.objects.values_list("pk", flat=True))),
        (Followed.SUMMIT, 2_000, list(Summit.objects.public().values_list("pk", flat=True))),
        (Followed.PROCESS, 500, list(Process.objects.public().values_list("pk", flat=True))),
    ]
    # Fifty saved searches, each a status and a type (a few matches each, as a researcher's
    # search would): one search that every change matched would send every one of its
    # followers an e-mail per change, which measures the SMTP server rather than us.
    statuses = [s for s in Status.values if s != Status.SUPERSEDED]
    searches = [f"status={s}&type={t}" for s in statuses for t in OutcomeType.values][:50]
    results = {}

    class Undo(Exception):
        pass

    try:
        with override_settings(**wanted), transaction.atomic():
            now = timezone.now() - datetime.timedelta(minutes=1)
            addresses = AlertAddress.objects.bulk_create(
                AlertAddress(email=f"reader{n}@example.org", token=f"bench-{n}")
                for n in range(ALERT_SUBSCRIPTIONS)
            )
            plan_subs = [(f, rng.choice(ids), "") for f, count, ids in kinds for _ in range(count)]
            plan_subs += [(Followed.SEARCH, 0, rng.choice(searches)) for _ in range(1_000)]
            frequencies = [Frequency.IMMEDIATELY] * 6 + [Frequency.DAILY] * 3 + [Frequency.WEEKLY]
            Subscription.objects.bulk_create(
                Subscription(
                    address=address,
                    followed=followed,
                    target_id=target,
                    search=search,
                    label=f"{followed} {target or search}",
                    frequency=rng.choice(frequencies),
                    token=f"bench-s{n}",
                    requested_at=now,
                    confirmed_at=now,
                )
                for n, (address, (followed, target, search)) in enumerate(
                    zip(addresses, plan_subs, strict=True)
                )
            )
            changed = rng.sample(outcome_ids, ALERT_CHANGES)
            source = Outcome.sources.through.objects.values_list("source_id", flat=True).first()
            save_status_updates(
                [
                    (
                        StatusUpdate(
                            outcome_id=pk,
                            status=rng.choice(statuses),
                            effective_date=timezone.localdate(),
                            summary="Benchmark entry.",
                        ),
                        [source],
                    )
                    for pk in changed
                ],
                user=user,
                publish=True,
            )
            for step, run in (
                ("read the log", lambda: news.read_log()),
                ("match to subscriptions", lambda: planning.plan()),
                ("send (immediately)", lambda: Outbox().send_due()),
                (
                    "send (digests, at the period's end)",
                    lambda: Outbox(now=timezone.now() + datetime.timedelta(days=8)).send_due(),
                ),
            ):
                sent_before = len(box.messages)
                count = [0]

                def counted(execute, sql, params, many, context, count=count):
                    count[0] += 1
                    return execute(sql, params, many, context)

                with db.execute_wrapper(counted):
                    start = time.perf_counter()
                    run()
                    seconds = time.perf_counter() - start
                results[step] = {
                    "seconds": round(seconds, 2),
                    "queries": count[0],
                    "messages": len(box.messages) - sent_before,
                }
            results["changes"] = AlertChange.objects.count()
            results["alerts"] = Alert.objects.count()
            raise Undo
    except Undo:
        pass
    finally:
        controller.stop()
    results["subscriptions"], results["entries"] = ALERT_SUBSCRIPTIONS, ALERT_CHANGES
    return results


def main(argv: list[str]) -> None:
    command, *urls = argv
    if command == "plan":
        result = plan()
    elif command == "session":
        result = session()
    elif command == "queries":
        result = queries(urls)
    elif command == "csv-memory":
        result = csv_memory(urls)
    elif command == "imports":
        result = imports()
    elif command == "alerts":
        result = alerts()
    else:
        raise SystemExit(f"unknown task {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
