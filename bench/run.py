"""The benchmark (`make bench`): build the synthetic dataset, serve the app as production
would, load each page with wrk and write bench/results.md. See bench/README.md.

    python bench/run.py            100,000 outcomes x 10 status updates (about an hour)
    python bench/run.py --quick    2,000 outcomes, 5 s per page (a few minutes)
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent  # gunicorn and datasette sit beside the venv's python
SECRET_KEY = "benchmark-only-secret-key-not-used-anywhere-else"
WORKERS = 2
STARTED = time.monotonic()

# Targets of issue 5 (p95, milliseconds).
PAGE_TARGET_MS = 50
SLOW_TARGET_MS = 100  # as-of views and search
MAX_QUERIES = 10
# Issue 14: an outcome page reads claims (and their sources), conditions and links across
# summits (each to any depth: the conditions or links, their sources, the status entries
# they replay) beside what it read before: a fixed 16 whatever the depth or the size.
OUTCOME_PAGE_QUERIES = 16
MAX_WORKER_MB = 150
IMPORT_TARGET_S = 60  # issue 16: 5,000 rows import in under a minute


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:6.0f} s] {message}", flush=True)


@dataclass
class Page:
    name: str
    path: str
    target_ms: int | None = PAGE_TARGET_MS
    cookie: str | None = None
    expect: str = ""  # text the response must contain, checked once before loading it
    max_queries: int = MAX_QUERIES
    result: dict = field(default_factory=dict)  # wrk figures, queries, worker memory

    @property
    def p95_ms(self) -> float:
        return self.result["p95"] / 1000


# --- Processes -------------------------------------------------------------------------------


def django_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        # testserver: bench/tasks.py runs pages through Django's test client.
        ALLOWED_HOSTS="127.0.0.1,testserver",
        # Served over plain HTTP on loopback: no redirect to HTTPS, no secure-only cookies.
        HTTPS="0",
        LOG_LEVEL="ERROR",
        # wrk sends thousands of requests a second from one address: not to be throttled.
        API_ANON_RATE="100000000/minute",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def task(env: dict, *args: str, script: str = "tasks.py") -> dict:
    """Run a bench script's task inside Django (bench/tasks.py, or script), read its JSON."""
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Server:
    """A server process started for the benchmark (in its own process group, so that
    stopping it stops its workers), with the pids whose memory is measured."""

    def __init__(self, name: str, command: list[str], env: dict, port: int, log: Path):
        self.name, self.command, self.env, self.port, self.log = name, command, env, port, log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        say(f"starting {self.name} on port {self.port}")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start within 2 minutes; see {self.log}")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def measured_pids(self) -> list[int]:
        """gunicorn: its workers (the master only supervises); others: the process."""
        return children(self.process.pid) or [self.process.pid]


def gunicorn(name: str, env: dict, log: Path) -> Server:
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--workers={WORKERS}",
        f"--bind=127.0.0.1:{port}",
        "--timeout=300",  # the 10,000-row export takes seconds on a cold database
    ]
    return Server(name, command, env, port, log)


def datasette(path: Path, log: Path) -> Server:
    port = free_port()
    command = [
        str(BIN / "datasette"),
        "serve",
        "-i",  # immutable: Datasette's mode for publishing read-only data
        str(path),
        f"--port={port}",
        "--host=127.0.0.1",
        # Our list always computes its facets; Datasette's default limits would drop any
        # that take over 200 ms, and its facet suggestions have no counterpart on our page.
        "--setting",
        "facet_time_limit_ms",
        "60000",
        "--setting",
        "sql_time_limit_ms",
        "60000",
        "--setting",
        "suggest_facets",
        "off",
    ]
    return Server("Datasette", command, dict(os.environ), port, log)


# --- Measuring -------------------------------------------------------------------------------


def fetch(url: str, cookie: str | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class MemorySampler(threading.Thread):
    """The largest resident set of the server's processes while a page is loaded."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self.stopping = pids, 0.0, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.peak = max([self.peak, *(rss_mb(pid) for pid in self.pids)])
            self.stopping.wait(0.2)

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        return self.peak


def measure(server: Server, pages: list[Page], args) -> None:
    """For each page: check it answers 200 (with the expected text), warm it up, then load it
    with wrk for args.duration seconds while sampling the server's memory."""
    for page in pages:
        url = server.base + page.path
        status, body = fetch(url, page.cookie)
        if status != 200 or page.expect.encode() not in body:
            page.result = {"error": f"HTTP {status}" if status != 200 else "unexpected page"}
            say(f"  {page.name}: {page.result['error']} for {page.path}; not measured")
            continue
        for _ in range(args.warmup):
            fetch(url, page.cookie)
        sampler = MemorySampler(server.measured_pids())
        sampler.start()
        command = [
            "wrk",
            "--threads=1",
            f"--connections={args.connections}",
            f"--duration={args.duration}s",
            "--timeout=120s",
            f"--script={BENCH / 'report.lua'}",
        ]
        if page.cookie:
            command.append(f"--header=Cookie: {page.cookie}")
        output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        figures["rss_mb"] = round(sampler.stop(), 1)
        figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
        figures["errors"] = sum(figures[k] for k in figures if k.endswith(("errors", "timeouts")))
        page.result.update(figures)
        say(
            f"  {page.name}: p50 {figures['p50'] / 1000:.1f} ms, p95 {page.p95_ms:.1f} ms, "
            f"p99 {figures['p99'] / 1000:.1f} ms, {figures['rps']:.1f} req/s, "
            f"worker RSS {figures['rss_mb']} MB"
            + (f", {figures['errors']} ERRORS" if figures["errors"] else "")
        )


def count_queries(env: dict, pages: list[Page]) -> None:
    results = task(env, "queries", *[page.path for page in pages])
    for page in pages:
        page.result["db"] = results[page.path]


# --- The pages -------------------------------------------------------------------------------


def list_path(**params) -> str:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return "/outcomes/" + (f"?{query}" if query else "")


def list_variants(plan: dict) -> dict[str, dict]:
    """The outcome list's variants, each with its equivalent in the admin changelist and in
    Datasette (None where that tool has no equivalent filter)."""
    closed = "implemented,reversed,superseded"
    text = plan["text"]
    return {
        "unfiltered": {"ours": {}, "admin": {}, "datasette": {}},
        "by status": {
            "ours": {"status": plan["status"]},
            "admin": {"current_status__exact": plan["status"]},
            "datasette": {"current_status": plan["status"]},
        },
        "by actor": {
            "ours": {"actor": plan["actor"]},
            "admin": None,  # the changelist has no party filter
            "datasette": {
                "_where": "id in (select outcome_id from outcomes_outcomeparty "
                f"where actor_id = {int(plan['actor_id'])})"
            },
        },
        "overdue": {
            "ours": {"overdue": "1"},
            "admin": {"overdue": "yes"},
            "datasette": {"due_date__lt": plan["today"], "current_status__notin": closed},
        },
        "text search": {
            "ours": {"q": text},
            "admin": {"q": text},
            "datasette": {"_where": f"(title like '%{text}%' or description like '%{text}%')"},
        },
    }


def our_pages(plan: dict) -> list[Page]:
    as_of = plan["as_of"]
    export = plan["export"]
    pages = [Page("overview", "/")]
    for name, variant in list_variants(plan).items():
        slow = SLOW_TARGET_MS if name == "text search" else PAGE_TARGET_MS
        pages.append(Page(f"outcome list, {name}", list_path(**variant["ours"]), slow))
    detail = [
        ("outcome page", f"/outcomes/{plan['outcome']}/"),
        ("summit page", f"/summits/{plan['summit']}/"),
        (f"actor page ({plan['actor_outcomes']:,} outcomes)", f"/actors/{plan['actor']}/"),
        (
            f"actor page, busiest ({plan['busiest_actor_outcomes']:,} outcomes)",
            f"/actors/{plan['busiest_actor']}/",
        ),
    ]
    pages += [
        Page(name, path, max_queries=OUTCOME_PAGE_QUERIES if "outcome" in path else MAX_QUERIES)
        for name, path in detail
    ]
    # Issue 14: an outcome page reads its lineage and its chain of conditions to any depth
    # (a recursive query each); the records with the longest of each, and the processes.
    if plan["lineage_outcome"]:
        pages.append(
            Page(
                f"outcome page, end of a {plan['lineage_steps']}-step lineage",
                f"/outcomes/{plan['lineage_outcome']}/",
                SLOW_TARGET_MS,
                max_queries=OUTCOME_PAGE_QUERIES,
            )
        )
    if plan["condition_outcome"]:
        pages.append(
            Page(
                f"outcome page, head of a condition chain {plan['condition_depth']} deep",
                f"/outcomes/{plan['condition_outcome']}/",
                SLOW_TARGET_MS,
                max_queries=OUTCOME_PAGE_QUERIES,
            )
        )
    pages.append(Page("process list", "/processes/"))
    if plan["process"]:
        pages.append(
            Page(
                f"process page, largest ({plan['process_summits']:,} summits)",
                f"/processes/{plan['process']}/",
            )
        )
    pages.append(Page("overview, as_of", f"/?as_of={as_of}", SLOW_TARGET_MS))
    pages.append(Page("outcome list, as_of", list_path(as_of=as_of), SLOW_TARGET_MS))
    pages += [
        Page(f"{name}, as_of", f"{path}?as_of={as_of}", SLOW_TARGET_MS) for name, path in detail
    ]
    pages.append(Page("search", f"/search/?q={plan['text']}", SLOW_TARGET_MS))
    # Scorecards (50 rows a page): the targets are the issue's, 100 ms rendered afresh.
    pages += [
        Page(
            f"scorecard, largest summit ({plan['scorecard_summit_outcomes']:,} outcomes)",
            f"/summits/{plan['scorecard_summit']}/scorecard/",
            SLOW_TARGET_MS,
        ),
        Page(
            f"actor scorecard ({plan['scorecard_actor_outcomes']:,} commitments)",
            f"/actors/{plan['scorecard_actor']}/scorecard/",
            SLOW_TARGET_MS,
        ),
        Page(
            f"actor scorecard, busiest ({plan['scorecard_busiest_actor_outcomes']:,} commitments)",
            f"/actors/{plan['scorecard_busiest_actor']}/scorecard/",
            None,
        ),
    ]
    # Issue 16: the API, never page-cached (each answer is rendered afresh): a page of 50
    # outcomes, the same filtered by a party, and one outcome with all it carries.
    pages += [
        Page("API, outcomes (page of 50)", "/api/v1/outcomes/", expect='"results"'),
        Page(
            "API, outcomes of an actor (page of 50)",
            f"/api/v1/outcomes/?actor={plan['actor']}",
            expect='"results"',
        ),
        Page(
            "API, an outcome",
            f"/api/v1/outcomes/{plan['outcome']}/",
            expect='"party_sides"',
            max_queries=OUTCOME_PAGE_QUERIES,
        ),
    ]
    pages.append(
        Page(
            f"CSV export, {export['rows']:,} rows",
            "/outcomes/export.csv"
            + (f"?due_before={export['due_before']}" if export["due_before"] else ""),
        )
    )
    return pages


def admin_pages(plan: dict, cookie: str) -> list[Page]:
    pages = []
    for name, variant in list_variants(plan).items():
        if variant["admin"] is None:
            continue
        query = urllib.parse.urlencode(variant["admin"])
        path = "/admin/outcomes/outcome/" + (f"?{query}" if query else "")
        pages.append(Page(f"admin changelist, {name}", path, None, cookie, "result_list"))
    return pages


def datasette_pages(plan: dict, database: str) -> list[Page]:
    # The same page size as our list, published outcomes only, and the facets our list shows
    # that Datasette can compute (status, type, summit; not parties, a many-to-many).
    base = [
        ("_size", "25"),
        ("published_at__notnull", "1"),
        ("_facet", "current_status"),
        ("_facet", "type"),
        ("_facet", "summit_id"),
    ]
    pages = []
    for name, variant in list_variants(plan).items():
        query = urllib.parse.urlencode(base + list(variant["datasette"].items()))
        path = f"/{database}/outcomes_outcome?{query}"
        pages.append(Page(f"Datasette, {name}", path, None, expect="outcomes_outcome"))
    return pages


# --- Building the datasets -------------------------------------------------------------------


def build(env: dict, args, today: str, label: str) -> float:
    say(f"{label}: migrate")
    manage(env, "migrate", "--noinput", "-v0")
    say(f"{label}: generate {args.outcomes:,} outcomes x {args.updates_per_outcome} updates")
    started = time.monotonic()
    manage(
        env,
        "generate_synthetic",
        f"--outcomes={args.outcomes}",
        f"--updates-per-outcome={args.updates_per_outcome}",
        f"--seed={args.seed}",
        f"--today={today}",
    )
    return time.monotonic() - started


def holds_dataset(env: dict, args) -> bool:
    """Whether the benchmark's database holds the synthetic dataset of this size already."""
    try:
        sizes = task(env, "plan")["sizes"]
    except (SystemExit, subprocess.CalledProcessError, KeyError, ValueError):
        return False
    return sizes.get("outcomes") == args.outcomes


def alerts_lines(alerts: dict) -> list[str]:
    """The report's section on send_alerts (tasks.py alerts)."""
    steps = [(name, r) for name, r in alerts.items() if isinstance(r, dict)]
    sent = sum(r["messages"] for _, r in steps)
    queries = sum(r["queries"] for _, r in steps)
    seconds = sum(r["seconds"] for _, r in steps)
    return [
        "## E-mail alerts (`send_alerts`, PostgreSQL)",
        "",
        f"{alerts['subscriptions']:,} confirmed subscriptions (outcomes, actors, summits, "
        "processes and fifty saved searches; six in ten immediately, three daily, one weekly), "
        "then "
        f"{alerts['entries']:,} status entries published at once: {alerts['changes']:,} changes, "
        f"{alerts['alerts']:,} e-mails, sent to a real SMTP server (aiosmtpd) in the task's "
        "process; in a transaction rolled back afterwards.",
        "",
        "| step | seconds | queries | e-mails |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {r['seconds']} | {r['queries']:,} | {r['messages']:,} |"
            for name, r in steps
        ),
        "",
        f"Per 1,000 e-mails: {1000 * seconds / max(sent, 1):.1f} s and "
        f"{1000 * queries / max(sent, 1):,.0f} queries: two per e-mail (its claim renewed just "
        "before it is sent, and the record that it was, written as soon as the server accepted "
        "it); the rest per batch of 200 alerts or 1,000 changes, and one per distinct saved "
        "search: none per subscription.",
    ]


def alerts_only(args, ctx: dict, pg_env: dict) -> None:
    """--alerts: send_alerts alone on the dataset, reported in results-alerts.md."""
    say("send_alerts for 10,000 subscriptions (rolled back)")
    alerts = task(pg_env, "alerts")
    lines = [
        "# Benchmark results: e-mail alerts",
        "",
        f"Run by `bench/run.py --alerts` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} "
        f"UTC, on the synthetic dataset of {args.outcomes:,} outcomes (see [README](README.md)).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in ctx["machine"].items()],
        "",
        *alerts_lines(alerts),
        "",
    ]
    args.output.write_text("\n".join(lines))
    say(f"wrote {args.output}")


def focused(args, ctx: dict, pg_env: dict) -> None:
    """--pages: the chosen pages only, on PostgreSQL, as kept and rendered afresh."""
    chosen = [page for page in our_pages(ctx["plan"]) if args.pages in page.name]
    if not chosen:
        raise SystemExit(f"no page's name contains {args.pages!r}")
    fresh_env = {**pg_env, "CACHE_PAGES": "0"}
    fresh = [Page(p.name, p.path, p.target_ms, max_queries=p.max_queries) for p in chosen]
    count_queries(pg_env, chosen)
    count_queries(fresh_env, fresh)
    with gunicorn("gunicorn (PostgreSQL)", pg_env, args.work_dir / "gunicorn-pg.log") as server:
        say(f"loading the pages named “{args.pages}” (PostgreSQL)")
        measure(server, chosen, args)
    with gunicorn("gunicorn (PostgreSQL, no page cache)", fresh_env, args.work_dir / "g2.log") as s:
        say(f"loading the pages named “{args.pages}” rendered afresh (CACHE_PAGES=0)")
        measure(s, fresh, args)
    plan = ctx["plan"]
    lines = [
        f"# Benchmark results: the pages named “{args.pages}”",
        "",
        f"Run by `bench/run.py --pages {args.pages}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: a focused run, the same "
        "method as [results.md](results.md) (see the [README](README.md)) for these pages "
        "only, on PostgreSQL.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in ctx["machine"].items()],
        "",
        "## Dataset",
        "",
        f"- The synthetic dataset of {args.outcomes:,} outcomes: "
        + ", ".join(f"{v:,} {k}" for k, v in plan["sizes"].items())
        + ".",
        f"- gunicorn, {WORKERS} sync workers; wrk: {args.connections} connections, "
        f"{args.duration} s per page after {args.warmup} warm-up requests, on loopback.",
        "",
        "## Kept pages (as anonymous visitors get them)",
        "",
        *page_table(chosen),
        "",
        "## Rendered for every request (`CACHE_PAGES=0`)",
        "",
        *page_table(fresh),
        "",
        "### Over target, and why",
        "",
    ]
    missed = [p for p in chosen + fresh if verdict(p)[0] is False]
    lines += [f"- **{p.name}**: {verdict(p)[1]}" for p in missed] or ["- None."]
    text = "\n".join([*lines, ""])
    args.output.write_text(text)
    print(text)
    say(f"written to {args.output}")


def postgres_database(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (never any other)."""
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark only uses bench* databases")
    options = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    options += ["-U", parts.username or "postgres"]
    say(f"PostgreSQL: recreate database {name}")
    subprocess.run(["dropdb", *options, "--if-exists", name], check=True)
    subprocess.run(["createdb", *options, name], check=True)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    say("wrk is missing: installing it with apt-get")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("Install wrk (apt-get install wrk) and run again.")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


# --- The report ------------------------------------------------------------------------------


def machine(pg_url: str) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    postgres = subprocess.run(
        [
            sys.executable,
            "-c",
            "import psycopg2,sys; c=psycopg2.connect(sys.argv[1]);"
            "k=c.cursor(); k.execute('show server_version'); print(k.fetchone()[0])",
            pg_url,
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    versions = {}
    for package in ("django", "gunicorn", "whitenoise", "datasette", "psycopg2-binary"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{os_name} (Linux {platform.release()})",
        "Python": platform.python_version(),
        "PostgreSQL": postgres or "?",
        "SQLite": sqlite3.sqlite_version,
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def ms(value_us) -> str:
    return f"{value_us / 1000:.1f}"


def verdict(page: Page) -> tuple[bool | None, str]:
    """Whether the page met its targets, and why not, from what was measured."""
    r = page.result
    if "p95" not in r:
        return None, r.get("error", "not measured")
    problems = []
    if r["errors"]:
        problems.append(f"{r['errors']} failed requests")
    if page.target_ms is not None and page.p95_ms > page.target_ms:
        problems.append(f"p95 {page.p95_ms:.0f} ms > {page.target_ms} ms")
    db = r.get("db")
    most = db and max(db["queries"], db["cold_queries"])
    if db and page.target_ms is not None and most > page.max_queries:
        problems.append(f"{most} queries > {page.max_queries}")
    if r["rss_mb"] > MAX_WORKER_MB:
        problems.append(f"worker RSS {r['rss_mb']} MB > {MAX_WORKER_MB} MB")
    if problems and db:
        share = db["db_ms"] / (r["p50"] / 1000) * 100 if r["p50"] else 0
        problems.append(
            f"why: the database takes {db['db_ms']:.0f} ms of a {ms(r['p50'])} ms median "
            f"({share:.0f}%) in {db['queries']} queries; the slowest, {db['slowest_ms']:.0f} ms: "
            f"`{db['slowest_sql'][:160]}…`"
            if share >= 50
            else f"why: mostly Python (templates, ORM): the database takes {db['db_ms']:.0f} ms "
            f"of a {ms(r['p50'])} ms median in {db['queries']} queries"
        )
    return not problems, "; ".join(problems)


def page_table(pages: list[Page], with_target: bool = True) -> list[str]:
    head = (
        "| page | median ms | p95 ms | p99 ms | req/s | queries | cold: ms, queries "
        "| worker RSS MB |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if with_target:
        head += " target p95 | met |"
        rule += "---:|---|"
    lines = [head, rule]
    for page in pages:
        r = page.result
        db = r.get("db", {})
        queries = str(db.get("queries", "–"))
        cold = f"{db['cold_ms']:.0f}, {db['cold_queries']}" if db else "–"
        if "p95" not in r:
            cells = [page.name, "–", "–", "–", "–", queries, cold, "–"]
            if with_target:
                cells += ["–", r.get("error", "not measured")]
        else:
            cells = [
                f"{page.name} (`{page.path[:70]}`)",
                ms(r["p50"]),
                ms(r["p95"]),
                ms(r["p99"]),
                f"{r['rps']:.1f}",
                queries,
                cold,
                f"{r['rss_mb']:.0f}",
            ]
            if with_target:
                met, _ = verdict(page)
                cells += [
                    f"{page.target_ms}" if page.target_ms else "–",
                    "yes" if met else "**no**",
                ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ratio_rows(ours: dict[str, Page], other: dict[str, Page], label: str) -> list[str]:
    """other's p95 (and median) over ours: above 1 means our page is faster."""
    lines = [
        f"| list variant | ours p95 ms | {label} p95 ms | p95 ratio | median ratio | "
        f"req/s ours / {label} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for variant, page in ours.items():
        theirs = other.get(variant)
        if theirs is None or "p95" not in theirs.result or "p95" not in page.result:
            reason = theirs.result.get("error", "") if theirs else "no equivalent filter"
            lines.append(f"| {variant} | {ms(page.result.get('p95', 0))} | n/a ({reason}) | | | |")
            continue
        a, b = page.result, theirs.result
        lines.append(
            f"| {variant} | {ms(a['p95'])} | {ms(b['p95'])} | {b['p95'] / a['p95']:.2f} | "
            f"{b['p50'] / a['p50']:.2f} | {a['rps']:.1f} / {b['rps']:.1f} |"
        )
    return lines


def by_variant(pages: list[Page]) -> dict[str, Page]:
    return {page.name.rsplit(", ", 1)[-1]: page for page in pages}


def report(args, ctx: dict) -> str:
    plan, pg_pages = ctx["plan"], ctx["pg_pages"]
    lines = [
        "# Benchmark results",
        "",
        f"Run by `bench/run.py{' --quick' if args.quick else ''}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC. "
        "How it works and how to read it: [README](README.md).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in ctx["machine"].items()],
        "",
        "## Dataset and method",
        "",
        f"- `generate_synthetic --outcomes {args.outcomes} --updates-per-outcome "
        f"{args.updates_per_outcome} --seed {args.seed} --today {plan['today']}`: "
        + ", ".join(f"{v:,} {k}" for k, v in plan["sizes"].items())
        + ".",
        (
            f"- Generation took {ctx['generate_pg']:.0f} s on PostgreSQL and "
            if ctx["generate_pg"] is not None
            else "- PostgreSQL held the dataset already (--reuse-data); generation took "
        )
        + f"{ctx['generate_sqlite']:.0f} s on SQLite (bulk inserts, status refresh and ANALYZE).",
        f"- gunicorn, {WORKERS} sync workers, DEBUG off, static files through WhiteNoise. "
        f"wrk: {args.connections} connections, {args.duration} s per page after "
        f"{args.warmup} warm-up requests, on loopback.",
        "- Queries per page: each page through Django's test client with "
        "CaptureQueriesContext, on the same database, after one warm-up request. "
        "As in production, anonymous visitors get whole pages cached under a data version "
        "that every change replaces, and figures computed over the whole dataset (the "
        "list's facet counts and filter form, the overview) are cached the same way "
        "(core/cache.py): a warm page costs one query, reading the version. The *cold* "
        "column is the first request after emptying the caches, in-process and not under "
        "load: what the first visitor after a change waits for, with its query count. A "
        "second table gives the same pages rendered for every request (`CACHE_PAGES=0`); "
        "the comparisons with the admin and Datasette use those, as neither keeps pages.",
        f"- as_of pages use as_of={plan['as_of']}; text search and /search/ use “{plan['text']}”.",
        "",
        "## Our pages on PostgreSQL",
        "",
        *page_table(pg_pages),
        "",
    ]
    missed = [(page, verdict(page)[1]) for page in pg_pages if verdict(page)[0] is False]
    lines += ["### Targets missed, and why", ""]
    lines += [f"- **{page.name}**: {why}" for page, why in missed] or ["- None."]
    fresh = ctx["pg_fresh"]
    lines += [
        "",
        "## Our pages on PostgreSQL, rendered for every request (`CACHE_PAGES=0`)",
        "",
        "The same pages with the cache of whole pages off: every request renders the page "
        "(the list's facet counts and the overview's figures still come from their cache). "
        "This is what a signed-in editor gets, and what the first visitor after a change "
        "gets under load.",
        "",
        *page_table(fresh),
        "",
        "### Over target when rendered afresh, and why",
        "",
    ]
    lines += [
        f"- **{page.name}**: {verdict(page)[1]}" for page in fresh if verdict(page)[0] is False
    ] or ["- None."]
    worst = max((p.result.get("rss_mb", 0) for p in ctx["all_ours"]), default=0)
    csv_memory = ctx["csv_memory"]
    (small_url, small), (big_url, big) = list(csv_memory.items())
    # Flat: ten times the rows take at most twice the memory (not ten times).
    flat = big["peak_kib"] <= 2 * small["peak_kib"]
    lines += [
        "",
        "## Memory",
        "",
        f"- Largest worker RSS under load, any of our pages: {worst:.0f} MB "
        f"(target < {MAX_WORKER_MB} MB: {'met' if worst < MAX_WORKER_MB else '**missed**'}).",
        f"- CSV export, peak Python memory while streaming (tracemalloc): "
        f"{small['rows']:,} rows {small['peak_kib']:,} KiB, {big['rows']:,} rows "
        f"{big['peak_kib']:,} KiB: {'flat' if flat else '**grows with the rows**'}.",
        "",
        "## CSV import (PostgreSQL)",
        "",
        f"5,000-row files in the release format imported in the admin's way by an editor "
        f"(tracker.imports: the dry run, then the import in one transaction, here rolled "
        f"back), on the data above. Target: under {IMPORT_TARGET_S} s each.",
        "",
        "| file | rows | dry run s | import s | refused rows | met |",
        "|---|---:|---:|---:|---:|---|",
        *(
            f"| {name} | {r['rows']:,} | {r['check_s']} | {r['import_s']} | {r['refused']} | "
            f"{'yes' if r['import_s'] < IMPORT_TARGET_S and not r['refused'] else '**no**'} |"
            for name, r in ctx["imports"].items()
        ),
        "",
        *alerts_lines(ctx["alerts"]),
        "",
        "## The outcome list against the admin changelist and Datasette",
        "",
        "Target: our list at least as fast as Datasette's equivalent page (ratio ≥ 1) and at "
        "least three times as fast as the admin changelist (ratio ≥ 3), judged on p95. "
        "Datasette and our app serve the same SQLite file, so that the database engine does "
        "not blur the ratio; the admin is compared on both databases.",
        "",
        "### PostgreSQL: admin changelist",
        "",
        *page_table(ctx["pg_admin"], with_target=False),
        "",
        *ratio_rows(by_variant(ctx["pg_list"]), by_variant(ctx["pg_admin"]), "admin"),
        "",
        "### SQLite: our list, the admin changelist and Datasette",
        "",
        *page_table(ctx["sqlite_ours"] + ctx["sqlite_admin"] + ctx["datasette"], False),
        "",
        *ratio_rows(by_variant(ctx["sqlite_ours"]), by_variant(ctx["datasette"]), "Datasette"),
        "",
        *ratio_rows(by_variant(ctx["sqlite_ours"]), by_variant(ctx["sqlite_admin"]), "admin"),
        "",
    ]
    comparisons = []
    for ours, theirs, label, need in (
        (ctx["sqlite_ours"], ctx["datasette"], "Datasette (SQLite)", 1),
        (ctx["pg_list"], ctx["pg_admin"], "the admin (PostgreSQL)", 3),
        (ctx["sqlite_ours"], ctx["sqlite_admin"], "the admin (SQLite)", 3),
    ):
        theirs_by = by_variant(theirs)
        for variant, page in by_variant(ours).items():
            other = theirs_by.get(variant)
            if other and "p95" in other.result and "p95" in page.result:
                ratio = other.result["p95"] / page.result["p95"]
                if ratio < need:
                    comparisons.append(
                        f"- **{variant}**: {ratio:.2f}× {label}, below {need}× "
                        f"(ours {page.p95_ms:.0f} ms, theirs {other.p95_ms:.0f} ms)."
                    )
    lines += ["### Comparison targets missed", ""]
    lines += comparisons or ["- None."]
    lines.append("")
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 outcomes, 5 s per page.")
    parser.add_argument("--outcomes", type=int, help="Default 100,000 (2,000 with --quick).")
    parser.add_argument("--updates-per-outcome", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, help="Seconds of load per page (20; 5 quick).")
    parser.add_argument(
        "--connections",
        type=int,
        default=WORKERS,
        help="Concurrent connections (default: one per worker).",
    )
    parser.add_argument("--warmup", type=int, default=5, help="Requests per page before.")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_pg"),
        help="PostgreSQL database to (re)create; its name must start with “bench”.",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=BENCH / ".work",
        help="Where the SQLite copy and server logs go.",
    )
    parser.add_argument(
        "--output", type=Path, help="Default results.md (results-pages.md with --pages)."
    )
    parser.add_argument(
        "--pages",
        help="Only our pages whose name contains this (e.g. API), on PostgreSQL, cached and "
        "afresh: a focused run, reported apart (results-pages.md).",
    )
    parser.add_argument(
        "--alerts",
        action="store_true",
        help="Only send_alerts for 10,000 subscriptions, reported apart (results-alerts.md).",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="Keep the PostgreSQL database if it holds the dataset asked for already.",
    )
    args = parser.parse_args()
    name = (
        "results-pages.md" if args.pages else "results-alerts.md" if args.alerts else "results.md"
    )
    args.output = args.output or BENCH / name
    args.outcomes = args.outcomes or (2_000 if args.quick else 100_000)
    args.duration = args.duration or (5 if args.quick else 20)
    return args


def main() -> None:
    args = parse_args()
    ensure_wrk()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()  # TIME_ZONE is UTC
    pg_env = django_env(args.pg_url)
    sqlite_path = args.work_dir / "bench.sqlite3"
    # Our list against Datasette and the admin: rendered for every request, as theirs are.
    sqlite_env = {**django_env(f"sqlite:///{sqlite_path}"), "CACHE_PAGES": "0"}
    ctx: dict = {}

    # PostgreSQL: our pages and the admin changelist.
    if args.reuse_data and holds_dataset(pg_env, args):
        say("PostgreSQL: the dataset is there already (--reuse-data)")
        manage(pg_env, "migrate", "--noinput", "-v0")
        ctx["generate_pg"] = None
    else:
        postgres_database(args.pg_url)
        ctx["generate_pg"] = build(pg_env, args, today, "PostgreSQL")
    ctx["machine"] = machine(args.pg_url)
    say("collectstatic (WhiteNoise serves the hashed, compressed files)")
    manage(pg_env, "collectstatic", "--noinput", "-v0")
    plan = ctx["plan"] = task(pg_env, "plan")
    say(f"plan: {json.dumps(plan)}")
    if args.pages:
        return focused(args, ctx, pg_env)
    if args.alerts:
        return alerts_only(args, ctx, pg_env)
    cookie = task(pg_env, "session")["cookie"]
    pg_pages = ctx["pg_pages"] = our_pages(plan)
    pg_admin = ctx["pg_admin"] = admin_pages(plan, cookie)
    say("counting queries per page (PostgreSQL)")
    count_queries(pg_env, pg_pages + pg_admin)
    say("CSV export memory (tracemalloc)")
    small, big = plan["export_small"], plan["export"]
    urls = [
        "/outcomes/export.csv" + (f"?due_before={e['due_before']}" if e["due_before"] else "")
        for e in (small, big)
    ]
    ctx["csv_memory"] = task(pg_env, "csv-memory", *urls)
    say("CSV import of 5,000 rows: the dry run and the import, rolled back")
    ctx["imports"] = task(pg_env, "imports")
    say("send_alerts for 10,000 subscriptions (rolled back)")
    ctx["alerts"] = task(pg_env, "alerts")
    with gunicorn("gunicorn (PostgreSQL)", pg_env, args.work_dir / "gunicorn-pg.log") as server:
        say("loading our pages (PostgreSQL)")
        measure(server, pg_pages, args)
        say("loading the admin changelist (PostgreSQL)")
        measure(server, pg_admin, args)
    # The same pages rendered for every request: what the page cache saves, and what the
    # comparisons use (neither the admin nor Datasette keeps whole pages).
    fresh_env = {**pg_env, "CACHE_PAGES": "0"}
    pg_fresh = ctx["pg_fresh"] = [
        Page(p.name, p.path, p.target_ms, max_queries=p.max_queries) for p in pg_pages
    ]
    count_queries(fresh_env, pg_fresh)
    ctx["pg_list"] = [
        p for p in pg_fresh if p.name.startswith("outcome list, ") and "as_of" not in p.name
    ]
    with gunicorn("gunicorn (PostgreSQL, no page cache)", fresh_env, args.work_dir / "g2.log") as s:
        say("loading our pages rendered afresh (PostgreSQL, CACHE_PAGES=0)")
        measure(s, pg_fresh, args)

    # SQLite: the same data, our list, the admin changelist and Datasette.
    sqlite_path.unlink(missing_ok=True)
    ctx["generate_sqlite"] = build(sqlite_env, args, today, "SQLite")
    sqlite_plan = task(sqlite_env, "plan")
    cookie = task(sqlite_env, "session")["cookie"]
    sqlite_ours = ctx["sqlite_ours"] = [
        Page(f"ours (SQLite), {name}", list_path(**variant["ours"]), None)
        for name, variant in list_variants(sqlite_plan).items()
    ]
    sqlite_admin = ctx["sqlite_admin"] = admin_pages(sqlite_plan, cookie)
    say("counting queries per page (SQLite)")
    count_queries(sqlite_env, sqlite_ours + sqlite_admin)
    log = args.work_dir / "gunicorn-sqlite.log"
    with gunicorn("gunicorn (SQLite)", sqlite_env, log) as server:
        say("loading our list and the admin changelist (SQLite)")
        measure(server, sqlite_ours + sqlite_admin, args)
    ctx["datasette"] = datasette_pages(sqlite_plan, sqlite_path.stem)
    with datasette(sqlite_path, args.work_dir / "datasette.log") as server:
        say("loading Datasette's table pages (SQLite)")
        measure(server, ctx["datasette"], args)

    ctx["all_ours"] = pg_pages + pg_fresh + sqlite_ours
    text = report(args, ctx)
    args.output.write_text(text)
    print()
    print(text)
    say(f"written to {args.output}")


if __name__ == "__main__":
    main()
