"""The mass-arrival load scenario (issue 11): a hundred staff on Passage at once.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python scripts/load.py --users 100 --spawn-rate 20 --run-time 60s \\
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--workers 2]

What it does, all on this machine (loopback only, bounded in time):
1. creates a scratch PostgreSQL database, migrates it, loads the demo data set (1,500
   crossings, cases, referrals) and makes the simulated staff's accounts (`passage
   createuser`: border officials at two posts, caseworkers at two NGOs, coordinators);
2. starts `passage serve --workers N` on a free port and signs every simulated person in once
   (signing in is not part of the scenario: a day's work starts signed in);
3. runs locust headless against it, with this file as the locustfile: each simulated person
   waits 1-3 s between actions, as people at a desk do:
   - border officials (4 in 10): record crossings of people new to Passage, import small
     rosters (10 rows), list their crossings, read the nationality counts;
   - caseworkers (4 in 10): register people, open cases, record intake interviews, refer,
     read their cases;
   - coordinators (2 in 10): the referral board, the referrals list, the referral report and
     statistics exports, the outcome counts. On the scratch database the referral report is
     every referral (the demo's few hundred); on a national-scale database (--url) it is the
     referrals of the last --report-days days (30 unless told): the whole report is then
     150,000 rows and 29 MB, 7 s of one core, and twenty coordinators asking for it every
     twenty seconds or so is a load no one makes (--report-days 0 asks for it whole anyway);
4. prints requests/s, the median and 99th percentile and the errors, from locust's own CSV
   (every answer other than 2xx is an error), stops the server and drops the database.

Exit status 0 when the target holds (no error, p99 under 2 s), 1 otherwise.
"""

import argparse
import csv
import io
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSAGE = str(BIN / "passage")
LOCUST = str(BIN / "locust")
PASSWORD = "load scenario passphrase 2025"  # noqa: S105 (a scratch database)
TOKENS_ENV = "PASSAGE_LOAD_TOKENS"
REPORT_FROM_ENV = "PASSAGE_LOAD_REPORT_FROM"

# who works at the posts and desks; the share of the simulated staff in each role
ROLES = {
    "border_official": ("Mae Sot Border Post", "Tak Immigration Checkpoint"),
    "caseworker": ("Border Care Foundation", "Safe Return Legal Aid"),
    "coordinator": ("Tak Coordination Office",),
}
WEIGHTS = {"border_official": 4, "caseworker": 4, "coordinator": 2}
ACCOUNTS_PER_ROLE = 6  # accounts are shared: each simulated person signs in on their own


# --- the locustfile -------------------------------------------------------------------------

if os.environ.get(TOKENS_ENV):
    from locust import HttpUser, between, task

    sys.path.insert(0, str(ROOT))
    from app.demo.roster import CROSSING_POINTS, ROSTER_COLUMNS, generate_roster
    from app.nationalities.service import resolve_nationality

    TOKENS: dict[str, list[str]] = json.loads(Path(os.environ[TOKENS_ENV]).read_text())
    REPORT_FROM = os.environ.get(REPORT_FROM_ENV, "")  # "" for every referral
    _next_token = {role: count() for role in TOKENS}
    _seeds = count(random.SystemRandom().randrange(10**6, 10**9, 10**4))
    ANSWERS = ("yes", "no", "unknown")

    def new_people(n: int) -> list[dict[str, str]]:
        """People no one has recorded yet: a roster of a seed never used before."""
        return generate_roster(size=n, seed=next(_seeds))

    def crossed_at_now() -> str:
        # within the last few hours, to the second: no two crossings of one person collide
        moment = datetime.now(UTC) - timedelta(seconds=random.randrange(60, 6 * 3600))
        return moment.isoformat(timespec="seconds")

    class Staff(HttpUser):
        abstract = True
        role = ""
        wait_time = between(1, 3)

        def on_start(self) -> None:
            tokens = TOKENS[self.role]
            token = tokens[next(_next_token[self.role]) % len(tokens)]
            self.client.headers["Authorization"] = f"Bearer {token}"

    class BorderOfficial(Staff):
        role = "border_official"
        weight = WEIGHTS["border_official"]

        @task(6)
        def record_crossing_of_a_new_person(self) -> None:
            row = new_people(1)[0]
            self.client.post("/api/v1/crossings", name="POST /api/v1/crossings", json={
                "person": {"given_name": row["given_name"], "family_name": row["family_name"],
                           "sex": row["sex"], "date_of_birth": row["date_of_birth"] or None,
                           "age_estimate": row["age_estimate"] or None,
                           "nationality_code": resolve_nationality(row["nationality"]),
                           "document_number": row["document_number"] or None},
                "crossed_at": crossed_at_now(),
                "crossing_point": random.choice(CROSSING_POINTS)})

        @task(1)
        def import_a_small_roster(self) -> None:
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=ROSTER_COLUMNS)
            writer.writeheader()
            writer.writerows(new_people(10))
            self.client.post("/api/v1/crossings/import", name="POST /api/v1/crossings/import",
                             files={"file": ("roster.csv", out.getvalue().encode(),
                                             "text/csv")})

        @task(2)
        def list_crossings(self) -> None:
            self.client.get("/api/v1/crossings?limit=50", name="GET /api/v1/crossings")

        @task(1)
        def nationality_counts(self) -> None:
            self.client.get("/api/v1/stats/nationalities", name="GET /api/v1/stats/nationalities")

    class Caseworker(Staff):
        role = "caseworker"
        weight = WEIGHTS["caseworker"]

        def on_start(self) -> None:
            super().on_start()
            self.codes: list[str] = [
                indicator["code"]
                for dimension in self.client.get(
                    "/api/v1/screening/indicators",
                    name="GET /api/v1/screening/indicators").json()["dimensions"]
                for indicator in dimension["indicators"]]
            self.waiting_for_interview: list[int] = []
            self.interviewed: list[int] = []

        @task(2)
        def register_and_open_a_case(self) -> None:
            row = new_people(1)[0]
            person = self.client.post("/api/v1/people", name="POST /api/v1/people", json={
                "given_name": row["given_name"], "family_name": row["family_name"],
                "sex": row["sex"], "date_of_birth": row["date_of_birth"] or None,
                "age_estimate": row["age_estimate"] or None,
                "nationality_code": resolve_nationality(row["nationality"]),
                "document_number": row["document_number"] or None})
            if person.status_code != 201:
                return
            case = self.client.post("/api/v1/cases", name="POST /api/v1/cases",
                                    json={"person_id": person.json()["id"]})
            if case.status_code == 201:
                self.waiting_for_interview.append(case.json()["id"])

        # every task sends a request: a simulated person never sits idle for two waits in a
        # row, longer than the server keeps an idle connection open (uvicorn: 5 s)
        @task(3)
        def record_an_intake_interview(self) -> None:
            if not self.waiting_for_interview:
                self.register_and_open_a_case()
                return
            case_id = self.waiting_for_interview.pop()
            answers = {code: random.choice(ANSWERS)
                       for code in random.sample(self.codes, k=min(12, len(self.codes)))}
            response = self.client.post(
                f"/api/v1/cases/{case_id}/interviews",
                name="POST /api/v1/cases/{id}/interviews",
                json={"consent_given": True, "language": "English", "answers": answers,
                      "narrative": "Recruited online for a customer service job; passport "
                                   "taken on arrival; could not leave the compound."})
            if response.status_code == 201:
                self.interviewed.append(case_id)

        @task(1)
        def refer(self) -> None:
            if not self.interviewed:
                self.read_cases()
                return
            case_id = random.choice(self.interviewed)
            self.client.post(f"/api/v1/cases/{case_id}/referrals",
                             name="POST /api/v1/cases/{id}/referrals",
                             json={"service": random.choice(["shelter", "medical", "legal"]),
                                   "recipient": "Mae Tao Clinic", "consent_to_share": True})

        @task(2)
        def read_cases(self) -> None:
            listed = self.client.get("/api/v1/cases?limit=20", name="GET /api/v1/cases")
            items = listed.json().get("items", []) if listed.status_code == 200 else []
            if items:
                self.client.get(f"/api/v1/cases/{random.choice(items)['id']}",
                                name="GET /api/v1/cases/{id}")

    class Coordinator(Staff):
        role = "coordinator"
        weight = WEIGHTS["coordinator"]

        @task(3)
        def referral_board(self) -> None:
            self.client.get("/referrals", name="GET /referrals (board)")

        @task(2)
        def referrals(self) -> None:
            self.client.get("/api/v1/referrals?limit=50", name="GET /api/v1/referrals")

        @task(1)
        def referral_report(self) -> None:
            self.client.get(f"/api/v1/reports/referrals?format=csv&from={REPORT_FROM}",
                            name="GET /api/v1/reports/referrals")

        @task(1)
        def statistics_export(self) -> None:
            self.client.get("/api/v1/reports/statistics?format=csv",
                            name="GET /api/v1/reports/statistics")

        @task(1)
        def outcome_counts(self) -> None:
            self.client.get("/api/v1/stats/outcomes", name="GET /api/v1/stats/outcomes")


# --- the driver -----------------------------------------------------------------------------

def report_from(days: int | None, *, national: bool) -> str:
    """The first day of the coordinators' referral report ("" for every referral)."""
    if days is None:
        days = 30 if national else 0
    if days <= 0:
        return ""
    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args: str, env: dict, input: str | None = None) -> None:
    subprocess.run(args, env=env, input=input, text=True, check=True, capture_output=True)


def database_url(server: str, name: str) -> str:
    from sqlalchemy import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


def admin_sql(server: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def prepare(url: str, env: dict, *, demo: bool = True) -> dict[str, list[str]]:
    """Migrate, load the demo (unless the database has it: --url), make the accounts (those
    an earlier run made are kept); returns {role: [username, ...]}."""
    print("Migrating and loading the demo data set ...", flush=True)
    run(PASSAGE, "migrate", env=env)
    if demo:
        run(PASSAGE, "demo", env=env)
    accounts: dict[str, list[str]] = {}
    for role, organizations in ROLES.items():
        for n in range(ACCOUNTS_PER_ROLE):
            username = f"load-{role.replace('_', '-')}-{n}"
            try:
                run(PASSAGE, "createuser", username, "--role", role, "--organization",
                    organizations[n % len(organizations)], "--password-stdin",
                    env=env, input=PASSWORD + "\n")
            except subprocess.CalledProcessError:
                if demo:
                    raise
                # made by an earlier run on this database (--url)
            accounts.setdefault(role, []).append(username)
    return accounts


class MemorySampler:
    """The resident memory of each worker process of `passage serve` (the server's
    children), sampled every `every` seconds while the scenario runs (Linux /proc)."""

    def __init__(self, server_pid: int, every: float = 10.0):
        import threading

        self.server_pid, self.every = server_pid, every
        self.samples: list[tuple[float, dict[int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _workers(self) -> list[int]:
        children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    @staticmethod
    def _rss_kib(pid: int) -> int | None:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.every):
            sizes = {pid: rss for pid in self._workers()
                     if (rss := self._rss_kib(pid)) is not None}
            self.samples.append((time.monotonic() - started, sizes))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 1)

    def report(self) -> None:
        if not self.samples:
            print("memory: no sample")
            return
        pids = sorted({pid for _, sizes in self.samples for pid in sizes})
        for pid in pids:
            series = [(t, sizes[pid]) for t, sizes in self.samples if pid in sizes]
            first, last = series[0][1], series[-1][1]
            # after the first minute (imports, pools and caches filling) to the end
            settled = next((rss for t, rss in series if t >= 60), first)
            print(f"memory of worker {pid}: {len(series)} samples over {series[-1][0]:.0f} s; "
                  f"first {first / 1024:.0f} MiB, after 60 s {settled / 1024:.0f} MiB, "
                  f"last {last / 1024:.0f} MiB, largest {max(r for _, r in series) / 1024:.0f}"
                  f" MiB; change from 60 s to the end {100 * (last - settled) / settled:+.1f}%")


def sign_in_everyone(base_url: str, accounts: dict[str, list[str]], users: int,
                     ) -> dict[str, list[str]]:
    """A token for each simulated person of each role (at most `users` of a role)."""
    import httpx

    tokens: dict[str, list[str]] = {}
    total_weight = sum(WEIGHTS.values())
    for role, usernames in accounts.items():
        wanted = max(1, -(-users * WEIGHTS[role] // total_weight))
        for n in range(wanted):
            response = httpx.post(base_url + "/api/v1/auth/token", timeout=30, data={
                "username": usernames[n % len(usernames)], "password": PASSWORD})
            response.raise_for_status()
            tokens.setdefault(role, []).append(response.json()["access_token"])
    return tokens


def wait_for(base_url: str, process: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"passage serve exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("passage serve did not answer /healthz within 60 s")


def summary(stats_csv: Path) -> dict[str, dict[str, str]]:
    with stats_csv.open(newline="") as f:
        return {row["Name"] if row["Type"] else "Aggregated": row for row in csv.DictReader(f)}


def report(rows: dict[str, dict[str, str]], failures_csv: Path) -> bool:
    print(f"\n{'request':<44}{'count':>8}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for name, row in sorted(rows.items(), key=lambda item: item[0] == "Aggregated"):
        print(f"{name[:43]:<44}{row['Request Count']:>8}{row['Failure Count']:>8}"
              f"{float(row['Requests/s']):>8.1f}{row['50%']:>9}{row['99%']:>9}")
    total = rows["Aggregated"]
    errors, p99 = int(total["Failure Count"]), float(total["99%"])
    if failures_csv.exists():
        failures = failures_csv.read_text().strip().splitlines()[1:]
        for line in failures[:20]:
            print("error:", line)
    print(f"\nrequests/s {float(total['Requests/s']):.1f}, p50 {total['50%']} ms, "
          f"p99 {total['99%']} ms, errors {errors} of {total['Request Count']}")
    held = errors == 0 and p99 < 2000
    print("target (0 errors, p99 under 2 s):", "held" if held else "NOT held")
    return held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="A PostgreSQL server to make the scratch database on")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default=None,
                        help="run on this database (made by scripts/bench_data.py, with the "
                             "demo), kept afterwards, instead of a scratch database")
    parser.add_argument("--report-days", type=int, default=None,
                        help="the coordinators' referral report: the referrals of the last N "
                             "days (0: every referral; default 30 with --url, else 0)")
    parser.add_argument("--memory-every", type=float, default=10.0,
                        help="seconds between samples of the workers' memory")
    args = parser.parse_args()
    if shutil.which(LOCUST) is None:
        raise SystemExit("locust is not installed: .venv/bin/pip install -e '.[bench]'")

    name = f"passage_load_{uuid.uuid4().hex[:10]}"
    url = args.url or database_url(args.server, name)
    workdir = Path(tempfile.mkdtemp(prefix="passage-load-"))
    env = {**os.environ, "PASSAGE_DATABASE_URL": url,
           "PASSAGE_SECRET_KEY": secrets.token_urlsafe(48), "PASSAGE_ENV": "development"}
    if args.url is None:
        admin_sql(args.server, f'CREATE DATABASE "{name}"')
    server = None
    sampler = None
    try:
        accounts = prepare(url, env, demo=args.url is None)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = workdir / "server.log"
        server = subprocess.Popen(
            [PASSAGE, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers)],
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        wait_for(base_url, server, log)
        tokens = workdir / "tokens.json"
        tokens.write_text(json.dumps(sign_in_everyone(base_url, accounts, args.users)))
        since = report_from(args.report_days, national=args.url is not None)
        print(f"Referral report: {'from ' + since if since else 'every referral'}")
        print(f"Serving on {base_url} with {args.workers} workers; {args.users} users for "
              f"{args.run_time} ...", flush=True)
        prefix = workdir / "load"
        sampler = MemorySampler(server.pid, args.memory_every)
        sampler.start()
        subprocess.run(
            [LOCUST, "-f", __file__, "--headless", "--host", base_url,
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", args.run_time, "--stop-timeout", "10", "--csv", str(prefix),
             "--only-summary", "--loglevel", "WARNING"],
            env={**os.environ, TOKENS_ENV: str(tokens),
                 REPORT_FROM_ENV: since},
            check=False, cwd=ROOT)
        sampler.stop()
        held = report(summary(Path(f"{prefix}_stats.csv")), Path(f"{prefix}_failures.csv"))
        sampler.report()
        lines = log.read_text().splitlines()
        server_errors = [line for line in lines if " 500 " in line or "Traceback" in line]
        if server_errors:
            print(f"server log: {len(server_errors)} lines with 500s or tracebacks")
            held = False
        in_traceback = False
        for line in lines:  # a worker restarted, a database refusal, a traceback: worth knowing
            in_traceback = line.startswith("Traceback") or (
                in_traceback and not line.startswith(("INFO", "WARNING", "ERROR", "CRITICAL")))
            if in_traceback or line.startswith(("WARNING", "ERROR", "CRITICAL")) or (
                    "Started server" in line):
                print("server log:", line)
        return 0 if held else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if sampler is not None:
            sampler.stop()
        if args.url is None:
            admin_sql(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__" and not os.environ.get(TOKENS_ENV):
    sys.exit(main())
