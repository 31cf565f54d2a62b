"""Benchmark data (not a test): a national-scale Passage database in PostgreSQL, by COPY.

    python scripts/bench_data.py [--scale 1.0] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--url EXISTING_DATABASE] [--no-demo] [--drop] [--seed 18]

At --scale 1 (issue 18, part 2): 1,000,000 people, 5,000,000 crossings, 300,000 cases with
their interviews (40 answers each), screenings, determinations and status changes, 150,000
referrals and 2,000,000 audit events; --scale 0.01 makes a hundredth of each, to develop with.

A scratch database is made and migrated (scripts/scratch_database.py), the demo is loaded
first (`passage demo`: its organisations, users and passwords are what bench_http.py and
load.py sign in with; --no-demo leaves it out), then the generated rows are added after the
demo's, attributed to the demo's organisations and to a few more (NGOs, border posts) with
staff of their own. The data is shaped like the real thing: 28 nationalities with a skew
(China, Viet Nam, Indonesia, the Philippines first), names in Latin letters, Thai, Burmese,
Han, Devanagari, Khmer and Lao scripts with their Latin keys, crossings over the two years
before today at the border's posts (more in recent months), cases of a share of the people
with interviews whose suggestions the rules make (app.screening), a skewed audit log.

How: each table by one COPY (psycopg 3 copy.write_row) on a connection with the foreign keys'
triggers off (session_replication_role = replica: the rows are consistent by construction),
the tables' secondary indexes dropped before and made again after, then VACUUM ANALYZE (the
visibility map that index-only scans need, and the planner's statistics). Prints rows/s of
each table and the time of each phase. The database is kept (its URL is printed) unless
--drop.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PASSAGE_SECRET_KEY", "bench-secret-" + "x" * 40)
os.environ.setdefault("PASSAGE_ENV", "development")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.crossings import rollup  # noqa: E402
from scripts.scratch_database import create_database, drop_database  # noqa: E402

VENV_BIN = Path(sys.executable).parent
FULL = {"people": 1_000_000, "crossings": 5_000_000, "cases": 300_000,
        "referrals": 150_000, "audit_events": 2_000_000}
PASSWORD = "bench data passphrase 2026"  # noqa: S105 (a scratch database)

# 28 nationalities with a skew (weights), the scripts their names are written in
NATIONALITIES = [
    ("CN", 20, "han"), ("VN", 12, "vi"), ("ID", 10, "latin"), ("PH", 9, "latin"),
    ("TH", 8, "thai"), ("MM", 8, "burmese"), ("IN", 6, "devanagari"), ("LA", 4, "lao"),
    ("KH", 3.5, "khmer"), ("MY", 3, "latin"), ("NP", 2, "devanagari"), ("BD", 2, "latin"),
    ("LK", 1.5, "latin"), ("PK", 1.5, "latin"), ("TW", 1.2, "han"), ("KR", 1, "latin"),
    ("JP", 0.8, "latin"), ("UG", 0.8, "latin"), ("KE", 0.8, "latin"), ("NG", 0.6, "latin"),
    ("ET", 0.6, "latin"), ("BR", 0.4, "latin"), ("RU", 0.4, "latin"), ("UZ", 0.4, "latin"),
    ("TR", 0.3, "latin"), ("EG", 0.3, "latin"), ("GH", 0.3, "latin"), ("US", 0.2, "latin")]
NAMES = {
    "han": (["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "杰", "婷", "强", "军", "平", "刚",
             "明", "华", "丽", "艳", "超", "鹏"],
            ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱"]),
    "vi": (["Văn An", "Thị Hoa", "Minh Tuấn", "Thị Lan", "Văn Hùng", "Quốc Bảo", "Thị Mai",
            "Đức Anh", "Thanh Hà", "Hoàng Long", "Ngọc Ánh", "Văn Nam"],
           ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ"]),
    "thai": (["สมชาย", "สมศักดิ์", "วิชัย", "สุดา", "มาลี", "ประเสริฐ", "นิภา", "อำนาจ",
              "กิตติ", "พรทิพย์", "สมหญิง", "ธนากร"],
             ["ใจดี", "ศรีสุข", "แสงทอง", "บุญมา", "วงศ์ใหญ่", "สุขสวัสดิ์", "ทองดี", "มั่นคง"]),
    "burmese": (["အောင်ကျော်", "ဇော်မင်းထွန်း", "မောင်မောင်", "သန်းထွန်း", "မြင့်မြင့်",
                 "ခင်မောင်", "စိုးမိုး", "နီလာ", "ထက်ထက်", "ကျော်ဇင်", "ဝင်းနိုင်", "သီတာ"],
                [""]),
    "devanagari": (["राहुल", "अमित", "प्रिया", "सुनीता", "राजेश", "पूजा", "विकास", "अनिल",
                    "सीता", "गीता", "रवि", "मनोज"],
                   ["शर्मा", "वर्मा", "सिंह", "कुमार", "यादव", "गुप्ता", "थापा", "श्रेष्ठ"]),
    "lao": (["ສົມພອນ", "ບຸນມີ", "ຄຳພອນ", "ສີສຸກ", "ວັນນະ", "ດາວວອນ"],
            ["ພົມມະວົງ", "ສີສະຫວາດ", "ແກ້ວມະນີ", "ວົງສາ"]),
    "khmer": (["សុខា", "ដារ៉ា", "សុភា", "វណ្ណា", "ចាន់ថា", "សុវណ្ណ"],
              ["សុខ", "ចាន់", "ហេង", "លី", "ឈឹម", "គឹម"]),
    "latin": (["Aung", "Juan", "Maria", "Siti", "Ahmad", "Jose", "Dewi", "Rizal", "John",
               "Grace", "Mohammed", "Fatima", "Ivan", "Olga", "Kwame", "Amina", "Daniel",
               "Ana", "Budi", "Rahim", "Nur", "Mark", "Joy", "Sunil"],
              ["Santos", "Reyes", "Cruz", "Wijaya", "Putri", "Rahman", "Khan", "Hossain",
               "Perera", "Okoye", "Mensah", "Kim", "Tanaka", "Silva", "Petrov", "Yilmaz",
               "Garcia", "Bautista", "Hidayat", "Abdullah"]),
}
LANGUAGES = {"CN": "Chinese", "VN": "Vietnamese", "ID": "Indonesian", "PH": "Tagalog",
             "TH": "Thai", "MM": "Burmese", "IN": "Hindi", "LA": "Lao", "KH": "Khmer"}
EXTRA_ORGANIZATIONS = [  # (name, kind, staff, role)
    ("Mekong Migrant Network", "ngo", 30, "caseworker"),
    ("Chiang Rai Shelter Foundation", "ngo", 30, "caseworker"),
    ("Ranong Legal Clinic", "ngo", 20, "caseworker"),
    ("Kanchanaburi Return Support", "ngo", 20, "caseworker"),
    ("Mae Sai Border Post", "border_post", 25, "border_official"),
    ("Ranong Border Post", "border_post", 25, "border_official"),
    ("National Anti-Trafficking Coordination", "coordination", 15, "coordinator"),
]
CROSSING_POINTS = ["Mae Sot Friendship Bridge 1", "Mae Sot Friendship Bridge 2",
                   "Ban Mae Ku Mai Tha Sung, Mae Sot", "Ban Huai Nam Nak, Phop Phra",
                   "Tha Sai Luat, Mae Sot", "Ban Wang Pha, Mae Ramat", "Mae Sai Bridge",
                   "Ranong Pier", "Mae Sot Airport", "Suvarnabhumi Airport"]
EXIT_POINTS = {"Mae Sot Airport", "Suvarnabhumi Airport"}
REFERRAL_SERVICES = (["shelter"] * 4 + ["medical"] * 3 + ["legal"] * 2 + ["embassy"] * 3
                     + ["psychosocial"] * 2 + ["repatriation"] * 2 + ["other"])
REFERRAL_STATUSES = ["pending"] * 3 + ["accepted"] * 3 + ["completed"] * 4 + ["declined"]
AUDIT_ACTIONS = (["case.read"] * 30 + ["person.search"] * 20 + ["case.list"] * 15
                 + ["person.read"] * 10 + ["crossing.create"] * 8 + ["interview.create"] * 3
                 + ["referral.update"] * 3 + ["referral.create"] * 2 + ["case.create"] * 3
                 + ["determination.create"] * 2 + ["auth.sign_in"] * 4 + ["export.stats"])


class Timer:
    def __init__(self):
        self.phases: list[tuple[str, float, int | None]] = []

    def run(self, name: str, rows: int | None = None):
        timer = self

        class _Phase:
            def __enter__(self):
                self.started = time.perf_counter()
                return self

            def __exit__(self, *exc):
                took = time.perf_counter() - self.started
                timer.phases.append((name, took, self.rows if rows is None else rows))
                rate = f", {self.rows / took:,.0f} rows/s" if self.rows else ""
                print(f"  {name}: {took:.1f} s{rate}", flush=True)

        phase = _Phase()
        phase.rows = rows
        return phase


def _weighted(pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    total = sum(weights)
    cumulative, acc = [], 0.0
    for w in weights:
        acc += w / total
        cumulative.append(acc)
    return values, cumulative


def _pick(values, cumulative, rnd=random.random):
    import bisect
    return values[min(bisect.bisect(cumulative, rnd()), len(values) - 1)]


def screening_patterns(count: int, rng: random.Random) -> list[dict]:
    """`count` interview answer sets, each with the suggestion the current rules make of
    it for an adult and for a child (what the app would store)."""
    from app.screening.catalogue import CURRENT_RULES_VERSION, INDICATORS
    from app.screening.rules import AgeGroup, Answer, screen

    patterns = []
    for n in range(count):
        yes_share = [0.05, 0.2, 0.4, 0.6][n % 4]
        answers = {}
        for indicator in INDICATORS:
            r = rng.random()
            answers[indicator.code] = (Answer.YES if r < yes_share else
                                       Answer.UNKNOWN if r < yes_share + 0.15 else Answer.NO)
        by_age = {}
        for age in (AgeGroup.ADULT, AgeGroup.CHILD):
            result = screen(answers, age, rules_version=CURRENT_RULES_VERSION)
            by_age[age.value] = (result.classification.value,
                                 json.dumps({**result.to_dict(), "age_at_recruitment": None}))
        patterns.append({"answers": [(code, a.value) for code, a in answers.items()],
                         "by_age": by_age, "rules_version": CURRENT_RULES_VERSION})
    return patterns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--url", default=None, help="load into this migrated database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    counts = {table: max(1, round(n * args.scale)) for table, n in FULL.items()}
    timer = Timer()
    started = time.perf_counter()
    with timer.run("create and migrate the database"):
        url = args.url or create_database(args.pg)
    env = {**os.environ, "PASSAGE_DATABASE_URL": url}
    try:
        if not args.no_demo:
            with timer.run("passage demo"):
                subprocess.run([str(VENV_BIN / "passage"), "demo"], env=env, check=True,
                               stdout=subprocess.DEVNULL)
        load(url, counts, random.Random(args.seed), timer)
    finally:
        total = time.perf_counter() - started
        print(f"\nscale {args.scale}: {sum(counts.values()):,} main rows; total {total:.0f} s")
        for name, took, rows in timer.phases:
            rate = f"{rows / took:>12,.0f} rows/s" if rows else ""
            print(f"  {name:<44}{took:>8.1f} s {rate}")
        if args.drop:
            drop_database(url, args.pg)
        else:
            print(f"kept: {url}")


def load(url: str, counts: dict[str, int], rng: random.Random, timer: Timer) -> None:
    import psycopg
    from sqlalchemy import make_url

    from app.auth.security import hash_password
    from app.people.service import latin_key, name_key

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
    conn.execute("SET maintenance_work_mem = '256MB'")
    rnd = rng.random
    randrange = rng.randrange

    def max_id(table: str) -> int:
        return conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # noqa: S608

    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=730).total_seconds()
    begin = now - timedelta(days=730)

    def moment(skew: float = 0.8) -> datetime:
        """A time in the two years before now, more of them recent."""
        return begin + timedelta(seconds=int(span * (rnd() ** skew)))

    # --- organisations and staff --------------------------------------------------------
    with timer.run("organisations and staff"):
        password_hash = hash_password(PASSWORD)
        organizations = dict(conn.execute("SELECT name, id FROM organizations").fetchall())
        for name, kind, _staff, _role in EXTRA_ORGANIZATIONS:
            if name not in organizations:
                organizations[name] = conn.execute(
                    "INSERT INTO organizations (created_at, updated_at, name, kind) "
                    "VALUES (now(), now(), %s, %s) RETURNING id", (name, kind)).fetchone()[0]
        kinds = dict(conn.execute("SELECT id, kind FROM organizations").fetchall())
        for name, _kind, staff, role in EXTRA_ORGANIZATIONS:
            org = organizations[name]
            for n in range(staff):
                conn.execute(
                    "INSERT INTO users (created_at, updated_at, username, full_name, "
                    "password_hash, role, organization_id, is_active, password_changed_at, "
                    "global_admin, awaiting_confirmation) VALUES (now(), now(), %s, %s, %s, "
                    "%s, %s, true, now(), false, false) ON CONFLICT DO NOTHING",
                    (f"bench-{org}-{n}", f"Staff {n} of {name}", password_hash, role, org))
        staff: dict[int, list[int]] = {}
        users = conn.execute("SELECT id, organization_id, role, username FROM users "
                             "WHERE is_active").fetchall()
        for uid, org, _role, _username in users:
            staff.setdefault(org, []).append(uid)
        ngos = [o for o, k in kinds.items() if k == "ngo" and staff.get(o)]
        posts = [o for o, k in kinds.items() if k == "border_post" and staff.get(o)]
        compounds = [r[0] for r in conn.execute("SELECT id FROM compounds").fetchall()]
        user_rows = [(u, o, r, name) for u, o, r, name in users]

    # --- secondary indexes off while loading ------------------------------------------
    tables = ["people", "crossings", "cases", "case_status_changes", "interviews",
              "interview_answers", "screenings", "determinations", "referrals",
              "audit_events"]
    indexes = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname)", (tables,)).fetchall()
    with timer.run(f"drop {len(indexes)} secondary indexes"):
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')

    column_types = dict(((t, c), (udt, typ)) for t, c, udt, typ in conn.execute(
        "SELECT table_name, column_name, udt_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public'").fetchall())

    def copy(table: str, columns: list[str], rows) -> int:
        """COPY in PostgreSQL's binary format (the server parses no text); a json column
        travels as text (json's binary form is its text)."""
        types = []
        for column in columns:
            udt, data_type = column_types[(table, column)]
            types.append("text" if udt in ("json", "varchar") else udt)
        n = 0
        with timer.run(f"COPY {table}") as phase:
            with conn.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as out:
                out.set_types(types)
                write = out.write_row
                for row in rows:
                    write(row)
                    n += 1
            phase.rows = n
        return n

    # --- people --------------------------------------------------------------------------
    nat_values, nat_cumulative = _weighted([(code, w) for code, w, _ in NATIONALITIES])
    script_of = {code: script for code, _, script in NATIONALITIES}
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    first_person = max_id("people") + 1
    n_people = counts["people"]
    nationality_of: list[str] = []

    def people_rows():
        for pid in range(first_person, first_person + n_people):
            nat = _pick(nat_values, nat_cumulative, rnd)
            nationality_of.append(nat)
            givens, families = NAMES[script_of[nat]]
            given, family = givens[randrange(len(givens))], families[randrange(len(families))]
            if script_of[nat] == "latin" and rnd() < 0.3:  # two given names
                given = f"{given} {givens[randrange(len(givens))]}"
            key = keys.get((given, family))
            if key is None:
                key = keys[(given, family)] = (name_key(given, family),
                                               latin_key(given, family))
            created = moment()
            born = date(1970 + randrange(38), 1 + randrange(12), 1 + randrange(28)) \
                if rnd() < 0.8 else None
            language = LANGUAGES.get(nat, "English")
            yield (pid, created, created, given, family, key[0], key[1],
                   "male" if rnd() < 0.62 else "female" if rnd() < 0.95 else "unknown",
                   born, None if born else 18 + randrange(30), nat,
                   f"{nat}{pid:09d}" if rnd() < 0.7 else None,
                   f"+66{randrange(10**8, 10**9)}" if rnd() < 0.4 else None,
                   json.dumps([language]), rng.choice(posts) if rnd() < 0.7 else
                   rng.choice(ngos), None)

    copy("people", ["id", "created_at", "updated_at", "given_name", "family_name", "name_key",
                    "name_key_latin", "sex", "date_of_birth", "age_estimate",
                    "nationality_code", "document_number", "phone", "languages",
                    "registered_by_organization_id", "created_by_id"], people_rows())
    last_person = first_person + n_people - 1

    # --- crossings: 5 a person on average, a few people many times --------------------
    first_crossing = max_id("crossings") + 1

    def crossing_rows():
        for cid in range(first_crossing, first_crossing + counts["crossings"]):
            person = first_person + int(n_people * (rnd() ** 1.15))
            point = CROSSING_POINTS[min(int(len(CROSSING_POINTS) * rnd() ** 1.4),
                                        len(CROSSING_POINTS) - 1)]
            # a person's crossings at a point differ in time (a unique index): microseconds
            at = moment(0.7) + timedelta(microseconds=cid % 1_000_000)
            post = posts[randrange(len(posts))]
            by = staff[post][randrange(len(staff[post]))]
            yield (cid, at, at, min(person, last_person), at, point,
                   compounds[randrange(len(compounds))] if compounds and rnd() < 0.6 else None,
                   f"G-{cid // 40}" if rnd() < 0.3 else None, post, by,
                   "exit" if point in EXIT_POINTS else "entry", False)

    copy("crossings", ["id", "created_at", "updated_at", "person_id", "crossed_at",
                       "crossing_point", "compound_id", "group_reference",
                       "recorded_by_organization_id", "created_by_id", "direction",
                       "from_departure_list"], crossing_rows())

    # --- cases and what hangs on them ---------------------------------------------------
    patterns = screening_patterns(64, rng)
    first_case = max_id("cases") + 1
    n_cases = counts["cases"]
    case_people = rng.sample(range(first_person, last_person + 1), min(n_cases, n_people))
    cases = []  # (id, person, org, assignee, status, created_at)
    for n, person in enumerate(case_people):
        org = ngos[min(int(len(ngos) * rnd() ** 1.6), len(ngos) - 1)]
        r = rnd()
        status = "open" if r < 0.55 else "determined" if r < 0.85 else "closed"
        assignee = staff[org][randrange(len(staff[org]))] if rnd() < 0.9 else None
        cases.append((first_case + n, person, org, assignee, status, moment(0.6)))

    copy("cases", ["id", "created_at", "updated_at", "reference", "person_id",
                   "organization_id", "assigned_to_id", "status", "closure_reason",
                   "consent_to_share"],
         ((cid, at, at, f"PSG-{at.year}-{cid:06d}", person, org, assignee, status,
           "returned_home" if status == "closed" else None, rnd() < 0.5)
          for cid, person, org, assignee, status, at in cases))

    first_interview = max_id("interviews") + 1
    first_screening = max_id("screenings") + 1
    first_determination = max_id("determinations") + 1
    interviews = []  # (interview id, case id, pattern, at, by, age group, org)
    for cid, _person, org, assignee, status, at in cases:
        if status == "open" and rnd() < 0.2:
            continue  # not yet interviewed
        by = assignee or staff[org][0]
        interviews.append((first_interview + len(interviews), cid, randrange(len(patterns)),
                           at + timedelta(days=randrange(1, 10)), by,
                           "child" if rnd() < 0.04 else "adult", org))
    language_of = {}

    copy("interviews", ["id", "case_id", "conducted_at", "language", "interpreter_used",
                        "consent_given", "recruited_on", "narrative", "section_notes",
                        "created_by_id", "created_at"],
         ((iid, cid, at, language_of.setdefault(cid, "English" if rnd() < 0.3 else "Thai"),
           rnd() < 0.6, True, (at - timedelta(days=90 + randrange(600))).date(),
           "Interview narrative recorded for the benchmark data set.", "{}", by, at)
          for iid, cid, _p, at, by, _age, _org in interviews))
    copy("interview_answers", ["interview_id", "code", "answer"],
         ((iid, code, answer) for iid, _c, p, *_rest in interviews
          for code, answer in patterns[p]["answers"]))
    copy("screenings", ["id", "interview_id", "case_id", "classification", "rules_version",
                        "age_group", "result", "created_at"],
         ((first_screening + n, iid, cid, *patterns[p]["by_age"][age][:1],
           patterns[p]["rules_version"], age, patterns[p]["by_age"][age][1], at)
          for n, (iid, cid, p, at, _by, age, _org) in enumerate(interviews)))
    case_status = {cid: status for cid, _p, _o, _a, status, _at in cases}
    determinations = []  # (id, case, screening, outcome, by, at)
    for n, (_iid, cid, p, at, by, age, _org) in enumerate(interviews):
        if case_status[cid] == "open":
            continue
        suggestion = patterns[p]["by_age"][age][0]
        outcome = {"trafficking_victim": "trafficking_victim",
                   "willing_worker": "willing_worker"}.get(suggestion, "undetermined")
        if rnd() < 0.15:
            outcome = rng.choice(["trafficking_victim", "willing_worker", "undetermined"])
        determinations.append((first_determination + len(determinations), cid,
                               first_screening + n, outcome, by,
                               at + timedelta(days=randrange(1, 20))))
    copy("determinations", ["id", "case_id", "screening_id", "outcome", "rationale",
                            "decided_by_id", "decided_at"],
         ((did, cid, sid, outcome, "" if rnd() < 0.8 else "Decided on the interview.", by, at)
          for did, cid, sid, outcome, by, at in determinations))
    determined_at = {cid: (did, at) for did, cid, _s, _o, _b, at in determinations}
    first_change = max_id("case_status_changes") + 1

    def status_changes():
        n = first_change
        for cid, _person, org, assignee, status, at in cases:
            by = assignee or staff[org][0]
            yield (n, cid, None, "open", "opened", None, "", None, by, at)
            n += 1
            if cid in determined_at:
                did, dat = determined_at[cid]
                yield (n, cid, "open", "determined", "determination", None, "", did, by, dat)
                n += 1
                if status == "closed":
                    yield (n, cid, "determined", "closed", "closed", "returned_home", "", None,
                           by, dat + timedelta(days=randrange(5, 60)))
                    n += 1

    copy("case_status_changes", ["id", "case_id", "from_status", "to_status", "event",
                                 "reason", "note", "determination_id", "changed_by_id",
                                 "changed_at"], status_changes())

    # --- referrals ------------------------------------------------------------------------
    first_referral = max_id("referrals") + 1

    def referral_rows():
        for rid in range(first_referral, first_referral + counts["referrals"]):
            cid, _person, org, assignee, _status, at = cases[randrange(len(cases))]
            service = REFERRAL_SERVICES[randrange(len(REFERRAL_SERVICES))]
            made = at + timedelta(days=randrange(1, 30))
            yield (rid, made, made, cid, org, service, f"{service.title()} partner "
                   f"{randrange(12)}", True, "",
                   REFERRAL_STATUSES[randrange(len(REFERRAL_STATUSES))],
                   assignee or staff[org][0])

    copy("referrals", ["id", "created_at", "updated_at", "case_id", "organization_id",
                       "service", "recipient", "consent_to_share", "notes", "status",
                       "created_by_id"], referral_rows())

    # --- audit events: a few busy users do most of the work ----------------------------
    first_event = max_id("audit_events") + 1
    roles = {u: (o, r, name) for u, o, r, name in user_rows}
    busy = [u for u, *_ in user_rows]

    def audit_rows():
        for eid in range(first_event, first_event + counts["audit_events"]):
            actor = busy[min(int(len(busy) * rnd() ** 2), len(busy) - 1)]
            org, role, username = roles[actor]
            action = AUDIT_ACTIONS[randrange(len(AUDIT_ACTIONS))]
            entity = action.split(".")[0]
            entity_id = (str(rng.randint(first_case, first_case + n_cases - 1))
                         if entity == "case" else
                         str(rng.randint(first_person, last_person)) if entity == "person"
                         else None)
            yield (eid, moment(0.7), actor, username, role, org, action, entity,
                   entity_id, f"10.0.{randrange(256)}.{randrange(256)}",
                   "success" if rnd() < 0.99 else "denied", "{}")

    copy("audit_events", ["id", "at", "actor_id", "actor_username", "role",
                          "organization_id", "action", "entity_type", "entity_id",
                          "client_address", "outcome", "detail"], audit_rows())

    # --- sequences, indexes, statistics -------------------------------------------------
    with timer.run("sequences"):
        for table in tables:
            if table == "interview_answers":
                continue
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                         f"(SELECT max(id) FROM {table}))")
    with timer.run("each case's next step (migration 0022's fill)"):
        conn.execute(_migration("next_step_stored").fill_statement("postgresql"))
    with timer.run("each case's latest suggestion and outcome (migration 0025's fill)"):
        for statement in _migration("case_latest_kept").FILL:
            conn.execute(statement)
    with timer.run(f"make {len(indexes)} secondary indexes again"):
        for _name, definition in indexes:
            conn.execute(definition)
    with timer.run("the nationality counts' rollup, from every crossing"):
        for statement in rollup.rebuild_statements("postgresql"):
            conn.execute(statement)
    conn.execute("SET session_replication_role = origin")
    with timer.run("VACUUM ANALYZE"):
        for table in [*tables, "crossing_days", "crossing_repeats"]:
            conn.execute(f"VACUUM ANALYZE {table}")
    conn.close()


def _migration(name: str):
    """The migration `*_<name>.py`, whose SQL fills what app.cases.next_step keeps on each
    case from its rows (COPY left every case the default): set-based, the right way for a
    whole table (the writes' refresh reads each case's rows by index, and stored 300,000
    cases in a minute)."""
    import importlib.util

    [path] = (ROOT / "migrations" / "versions").glob(f"*_{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


if __name__ == "__main__":
    main()
