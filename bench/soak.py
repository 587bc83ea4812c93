"""Soak test: mixed traffic against gunicorn on PostgreSQL and Redis for minutes, with faults.

`make soak` (10 minutes at 100,000 outcomes) or `make soak SOAK_ARGS=--quick` (1 minute at
5,000, as `.ci/run` runs it). It generates the synthetic dataset into its own PostgreSQL
database (bench_soak), starts a Redis of its own on a free port (never the machine's shared
one) and gunicorn with two workers using it (CACHE_URL), then sends, from several threads:
anonymous pages, exports, feeds and API pages, signed-in staff pages, and, in the second part
of the run, an editor recording and publishing status entries through the desk. Meanwhile
it kills a gunicorn worker, restarts its Redis and runs a backup.

It reports requests and errors by kind, p95 per page class with and without writes going on
(each write replaces the data version, so kept pages are rendered again), and the workers'
memory over time; afterwards it checks that every entry it wrote is in the database and in
the audit trail exactly once. It fails (exit 1) on any 5xx, on an error the faults do not
explain, on a write found twice or not at all, or on memory that grows.
"""

import argparse
import datetime
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from run import BENCH, children, django_env, free_port, gunicorn, manage, rss_mb, say, task
from run import postgres_database as recreate_database

KILL_GRACE_S = 5  # connections a killed worker drops are refused or reset within this
# The last minute's largest worker at most 25% above the largest in the first minute of the
# same traffic, the minute after the writes began. (Not the run's first minute: reading only,
# every page is rendered once per data version and then kept; once editors write, each write
# replaces the version and every page is rendered again, a larger working set, not a leak.)
MEMORY_GROWTH = 1.25


# --- The parts it runs -----------------------------------------------------------------------


class Redis:
    """A redis-server of the soak's own, on a free port, keeping nothing on disk."""

    def __init__(self, work: Path):
        self.port, self.work, self.process = free_port(), work, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.work)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=0.2).connect()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the soak's redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


# --- HTTP ------------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
            return response
        finally:
            connection.close()


def form_token(response) -> tuple[str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    cookie = SimpleCookie(response.getheader("Set-Cookie") or "")
    return token, cookie["csrftoken"].value if "csrftoken" in cookie else ""


def sign_in(client: Client, username: str, password: str) -> str:
    form = client.request("GET", "/accounts/login/")
    token, csrf = form_token(form)
    response = client.request(
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{client.port}/accounts/login/",
        },
        urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}),
    )
    if response.status != 302:
        raise SystemExit(f"the soak's editor could not sign in: {response.status}")
    return SimpleCookie(response.getheader("Set-Cookie"))["sessionid"].value


# --- Traffic ---------------------------------------------------------------------------------


class Run:
    """What the threads share: the clock, the phase, the log of requests and of faults."""

    def __init__(self, port: int, plan: dict, session: str):
        self.client, self.plan, self.session = Client(port), plan, session
        self.started = time.monotonic()
        self.writing = threading.Event()
        self.writes_began = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.requests: list[tuple] = []  # (at, class, phase, ms, outcome)
        self.kills: list[float] = []
        self.writes: dict[str, str] = {}  # token: confirmed (302) or unknown (dropped)

    def now(self) -> float:
        return time.monotonic() - self.started

    def begin_writes(self) -> None:
        self.writes_began = self.now()
        self.writing.set()

    def log(self, kind: str, at: float, ms: float, outcome: str) -> None:
        phase = "with writes" if self.writing.is_set() else "reads only"
        with self.lock:
            self.requests.append((at, kind, phase, ms, outcome))

    def fetch(self, kind: str, path: str, staff: bool = False) -> None:
        headers = {"Cookie": f"sessionid={self.session}"} if staff else {}
        at, start = self.now(), time.perf_counter()
        try:
            status = self.client.request("GET", path, headers).status
            outcome = str(status)
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        self.log(kind, at, (time.perf_counter() - start) * 1000, outcome)

    def reader(self, seed: int) -> None:
        pick = random.Random(seed)
        p = self.plan
        while not self.stopping.is_set():
            roll = pick.random()
            if roll < 0.55:
                path = pick.choice(
                    [
                        "/",
                        "/outcomes/",
                        "/outcomes/?status=in_progress",
                        f"/outcomes/?actor={pick.choice(p['actors'])}",
                        f"/outcomes/{pick.choice(p['outcomes'])}/",
                        f"/summits/{pick.choice(p['summits'])}/",
                        f"/actors/{pick.choice(p['actors'])}/",
                        "/processes/",
                        "/search/?q=hotline",
                    ]
                )
                self.fetch("anonymous page", path)
            elif roll < 0.65:
                self.fetch("export", f"/outcomes/export.csv?actor={pick.choice(p['actors'])}")
            elif roll < 0.75:
                self.fetch("feed", pick.choice(["/feeds/updates.atom", "/deadlines.ics"]))
            elif roll < 0.85:
                self.fetch("API", pick.choice(["/api/v1/outcomes/", "/api/v1/summits/"]))
            else:
                path = pick.choice(["/desk/", f"/outcomes/{pick.choice(p['outcomes'])}/"])
                self.fetch("staff page", path, staff=True)

    def writer(self) -> None:
        """An editor at the desk: records and publishes a status entry about every second."""
        pick = random.Random(7)
        self.writing.wait()
        while not self.stopping.is_set():
            self.write(pick.choice(self.plan["writable"]), pick.choice(["in_progress", "stalled"]))
            self.stopping.wait(1)

    def write(self, slug: str, status: str) -> None:
        url = f"/desk/outcomes/{slug}/update/"
        cookie = f"sessionid={self.session}"
        at, start = self.now(), time.perf_counter()
        token = f"soak-{uuid.uuid4().hex[:12]}"
        try:
            form = self.client.request("GET", url, {"Cookie": cookie})
            if form.status != 200:
                self.log("write", at, (time.perf_counter() - start) * 1000, str(form.status))
                return
            csrf_token, csrf = form_token(form)
            source = re.search(r'name="sources" value="(\d+)"', form.text).group(1)
            fields = {
                "status": status,
                "effective_date": datetime.date.today().isoformat(),
                "effective_date_precision": "day",
                "summary": f"Recorded by the soak test ({token}).",
                "sources": source,
                "new_source_kind": "news",
                "publish_now": "on",
                "csrfmiddlewaretoken": csrf_token,
            }
            self.writes[token] = "unknown"
            response = self.client.request(
                "POST",
                url,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"{cookie}; csrftoken={csrf}",
                    "Referer": f"http://127.0.0.1:{self.client.port}{url}",
                },
                urlencode(fields),
            )
            outcome = str(response.status)
            if response.status == 302:
                self.writes[token] = "confirmed"
            elif response.status == 200:  # the form refused it: nothing was written
                del self.writes[token]
                outcome = "refused by the form"
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        self.log("write", at, (time.perf_counter() - start) * 1000, outcome)


class MemoryLog(threading.Thread):
    """The largest gunicorn worker's resident memory, every few seconds."""

    def __init__(self, master: int, every: float):
        super().__init__(daemon=True)
        self.master, self.every, self.samples = master, every, []
        self.stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stopping.is_set():
            sizes = [rss_mb(pid) for pid in children(self.master)]
            if sizes:
                self.samples.append((time.monotonic() - started, max(sizes)))
            self.stopping.wait(self.every)


# --- Faults ----------------------------------------------------------------------------------


def kill_a_worker(run: Run, master: int) -> str:
    workers = children(master)
    if not workers:
        return "no worker found"
    run.kills.append(run.now())
    os.kill(workers[0], signal.SIGKILL)
    return f"killed worker {workers[0]} (SIGKILL); gunicorn starts another"


def restart_redis(redis: Redis, down_s: float) -> str:
    redis.stop()
    time.sleep(down_s)
    redis.start()
    return f"stopped the soak's Redis for {down_s:g} s, then started it again"


def backup(env: dict, work: Path) -> str:
    path = work / f"soak-backup-{uuid.uuid4().hex[:6]}.json"
    started = time.monotonic()
    manage(env, "backup", str(path))
    return f"backup of {path.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.0f} s"


# --- Report ----------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


def expected(run: Run, at: float, ms: float, outcome: str) -> bool:
    """A connection error is the fault's if the request was in flight when a worker was
    killed, or began within the grace after."""
    end = at + ms / 1000
    return not outcome.isdigit() and any(at - KILL_GRACE_S <= kill <= end for kill in run.kills)


def report(
    args, run: Run, faults: list, memory: MemoryLog, found: dict, log: str
) -> tuple[str, bool]:
    problems = []
    by_outcome = Counter()
    for at, kind, _phase, ms, outcome in run.requests:
        if outcome.isdigit() and int(outcome) >= 500:
            by_outcome[f"{outcome} (server error)"] += 1
            problems.append(f"{kind} answered {outcome} at {at:.0f} s")
        elif outcome.isdigit() or outcome == "refused by the form":
            by_outcome[outcome] += 1
        elif expected(run, at, ms, outcome):
            by_outcome[f"{outcome} (the killed worker's)"] += 1
        else:
            by_outcome[f"{outcome} (unexplained)"] += 1
            problems.append(f"{kind}: {outcome} at {at:.0f} s")
    timing = defaultdict(list)
    for _at, kind, phase, ms, outcome in run.requests:
        if outcome.isdigit() and int(outcome) < 400:
            timing[(kind, phase)].append(ms)
    wrong_writes = []
    for token, state in run.writes.items():
        counts = found[token]
        exactly_once = counts == {"entries": 1, "created_copies": 1, "published": 1}
        absent = counts == {"entries": 0, "created_copies": 0, "published": 0}
        if not (exactly_once or (state == "unknown" and absent)):
            wrong_writes.append(f"write {token} ({state}) found as {counts}")
    problems += wrong_writes
    confirmed = sum(state == "confirmed" for state in run.writes.values())
    window = min(60, args.duration / 5)
    began, end = run.writes_began, memory.samples[-1][0]
    reading = [mb for t, mb in memory.samples if t < began] or [0.0]
    first = [mb for t, mb in memory.samples if began <= t <= began + window] or [0.0]
    last = [mb for t, mb in memory.samples if t >= end - window] or [0.0]
    flat = max(last) <= max(first) * MEMORY_GROWTH
    if not flat:
        problems.append(f"worker memory grew from {max(first):.0f} MB to {max(last):.0f} MB")

    lines = [
        "# Soak test results",
        "",
        f"Run by `bench/soak.py {' '.join(sys.argv[1:])}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {args.outcomes:,} outcomes, "
        f"{args.duration} s of traffic from {args.threads} threads against gunicorn (2 workers) "
        "on PostgreSQL with a Redis of its own (CACHE_URL); an editor records and publishes a "
        f"status entry about every second from {args.duration * args.quiet_part:.0f} s on.",
        "",
        "## Faults",
        "",
        *(f"- at {at:.0f} s: {what}" for at, what in faults),
        "",
        "## Requests",
        "",
        f"{len(run.requests):,} requests; by outcome:",
        "",
        "| outcome | requests |",
        "|---|---:|",
        *(f"| {outcome} | {count:,} |" for outcome, count in sorted(by_outcome.items())),
        "",
        "## p95 per page class (ms), with and without writes going on",
        "",
        "| class | reads only | with writes | requests |",
        "|---|---:|---:|---:|",
    ]
    for kind in sorted({kind for kind, _ in timing}):
        quiet, busy = timing.get((kind, "reads only"), []), timing.get((kind, "with writes"), [])
        quiet_p95 = f"{p95(quiet):.0f}" if quiet else "–"
        busy_p95 = f"{p95(busy):.0f}" if busy else "–"
        lines.append(f"| {kind} | {quiet_p95} | {busy_p95} | {len(quiet) + len(busy):,} |")
    lines += [
        "",
        "## Writes",
        "",
        f"{len(run.writes)} entries sent, {confirmed} confirmed (302); each found in the database, "
        "in the audit trail and in the publication log exactly once"
        + (
            " (those whose answer a fault dropped: once or not at all)."
            if not wrong_writes
            else ": **no**, see the verdict."
        ),
        "",
        "## Worker memory (largest worker, MB)",
        "",
        "| at s | MB |",
        "|---:|---:|",
        *(
            f"| {t:.0f} | {mb:.0f} |"
            for t, mb in memory.samples[:: max(1, len(memory.samples) // 12)]
        ),
        "",
        f"The largest worker: {max(reading):.0f} MB while only reading (to {began:.0f} s), "
        f"{max(first):.0f} MB in the first {window:.0f} s of writes, {max(last):.0f} MB in the "
        f"last {window:.0f} s. Flat: {'yes' if flat else '**no**'} (the last at most "
        f"{MEMORY_GROWTH:.0%} of the first {window:.0f} s of the same traffic, with writes; "
        "reading only, each page is rendered once and then kept, while every write makes "
        "every page be rendered again).",
        "",
        "## The log",
        "",
        f"gunicorn's log says Redis was unreachable {log.count('is unreachable')} times and "
        f"answered again {log.count('answers again')} times (once per worker per outage).",
        "",
        "## Verdict",
        "",
        *(f"- **{problem}**" for problem in problems[:50]),
        "- Met: no 5xx, no unexplained error, every write exactly once, memory flat."
        if not problems
        else "",
    ]
    return "\n".join(lines) + "\n", not problems


# --- Main ------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 minute at 5,000 outcomes.")
    parser.add_argument("--outcomes", type=int, help="Default 100,000 (5,000 with --quick).")
    parser.add_argument("--duration", type=int, help="Seconds of traffic (600; 60 quick).")
    parser.add_argument("--threads", type=int, default=4, help="Reading threads (4).")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/bench_soak",
        help="PostgreSQL database to (re)create; its name must start with “bench”.",
    )
    parser.add_argument("--work-dir", type=Path, default=BENCH / ".work")
    parser.add_argument("--output", type=Path, help="Markdown report (default: print only).")
    args = parser.parse_args()
    args.outcomes = args.outcomes or (5_000 if args.quick else 100_000)
    args.duration = args.duration or (60 if args.quick else 600)
    args.quiet_part = 1 / 3  # the first third reads only; writes and faults come after
    return args


def main() -> None:
    args = parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    redis = Redis(args.work_dir)
    redis.start()
    env = {**django_env(args.pg_url), "CACHE_URL": redis.url, "LOG_LEVEL": "WARNING"}
    (args.work_dir / "gunicorn-soak.log").unlink(missing_ok=True)
    try:
        recreate_database(args.pg_url)
        say("migrate, and the synthetic dataset")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "generate_synthetic", f"--outcomes={args.outcomes}", "--updates-per-outcome=5")
        manage(env, "collectstatic", "--noinput", "-v0")
        plan = task(env, "plan", script="soak_tasks.py")
        with gunicorn("gunicorn (soak)", env, args.work_dir / "gunicorn-soak.log") as server:
            session = sign_in(Client(server.port), plan["editor"], plan["password"])
            run = Run(server.port, plan, session)
            memory = MemoryLog(server.process.pid, every=max(1.0, args.duration / 60))
            threads = [
                threading.Thread(target=run.reader, args=(seed,), daemon=True)
                for seed in range(args.threads)
            ]
            threads.append(threading.Thread(target=run.writer, daemon=True))
            memory.start()
            for thread in threads:
                thread.start()
            schedule = [
                (args.quiet_part, "writes begin", run.begin_writes),
                (0.45, "kill a worker", lambda: kill_a_worker(run, server.process.pid)),
                (0.65, "restart Redis", lambda: restart_redis(redis, max(2, args.duration / 60))),
                (0.8, "backup", lambda: backup(env, args.work_dir)),
            ]
            faults = []
            for part, name, action in schedule:
                wait = run.started + part * args.duration - time.monotonic()
                time.sleep(max(0.0, wait))
                say(f"{run.now():.0f} s: {name}")
                faults.append((run.now(), action() or "editors start recording entries"))
            time.sleep(max(0.0, run.started + args.duration - time.monotonic()))
            run.stopping.set()
            for thread in threads:
                thread.join(120)
            memory.stopping.set()
        say("checking every write")
        found = task(env, "check", *run.writes, script="soak_tasks.py") if run.writes else {}
    finally:
        redis.stop()
    log = (args.work_dir / "gunicorn-soak.log").read_text(errors="replace")
    text, met = report(args, run, faults, memory, found, log)
    print(text)
    if args.output:
        args.output.write_text(text)
        say(f"written to {args.output}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
