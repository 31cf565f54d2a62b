from sqlalchemy import inspect

from app.db import make_engine
from app.migrate import check, downgrade, upgrade


def test_upgrade_downgrade_upgrade_and_no_drift(empty_database_url):
    upgrade(empty_database_url)
    check(empty_database_url)  # raises when models and migrations differ
    downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(empty_database_url)
    check(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT COUNT(*) FROM nationalities").scalar()
    engine.dispose()
    assert count >= 249


def test_migrations_down_and_up_keep_the_rows_of_a_database_in_use(empty_database_url):
    """A database in use has cases that interviews, referrals and crossings refer to: SQLite
    alters a table by copying it, which its foreign keys refused (0014 on a populated
    database). Down to a revision before the newest ones and up again keeps every row."""
    from sqlmodel import Session

    from tests import factories

    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        ngo = factories.make_organization(session, name="Migrated NGO")
        caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo)
        for _ in range(3):
            person = factories.make_person(session, organization=ngo)
            case = factories.make_case(session, person=person, organization=ngo)
            factories.make_screening(session, case=case, answers={"DR1": "yes"})
            factories.make_referral(session, case=case, created_by=caseworker)
            factories.make_crossing(session, person=person)
        session.commit()
    tables = ("people", "cases", "interviews", "screenings", "referrals", "crossings")

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar()  # noqa: S608
                    for t in tables}

    before = counts()
    assert all(before.values())
    engine.dispose()
    downgrade(empty_database_url, "0007_screenings_per_version")
    upgrade(empty_database_url)
    check(empty_database_url)
    assert counts() == before
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()


def test_migration_0017_keys_the_people_already_recorded_in_latin_letters(empty_database_url):
    """People recorded before names in Latin letters get the key the duplicate check compares
    (their names transliterated); their Latin forms stay empty until someone records them."""
    from sqlalchemy import text

    upgrade(empty_database_url, "0016_safeguard")
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        org = conn.execute(text("INSERT INTO organizations (name, kind, created_at, updated_at)"
                                " VALUES ('Old NGO', 'ngo', CURRENT_TIMESTAMP,"
                                " CURRENT_TIMESTAMP) RETURNING id")).scalar()
        for given, family in (("राजेश", "कुमार"), ("Juan", "Dela Cruz"), ("สมชาย", "Smith")):
            conn.execute(text(
                "INSERT INTO people (given_name, family_name, name_key, sex, languages,"
                " registered_by_organization_id, created_at, updated_at) VALUES (:g, :f, '',"
                " 'unknown', '[]', :org, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"g": given, "f": family, "org": org})
    engine.dispose()
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT given_name, given_name_latin, family_name_latin,"
                                 " name_key_latin FROM people ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("राजेश", "", "", "rajes kumar"),
                                        ("Juan", "", "", ""),
                                        ("สมชาย", "", "", "smchay smith")]


def test_migration_0021_counts_the_crossings_already_recorded(empty_database_url):
    """The nationality counts' rollup starts with every crossing recorded before it, counted
    as the writes count them from then on."""
    from sqlalchemy import text
    from sqlmodel import Session

    from tests.crossings.rollup_check import assert_rollup_right, rollup_rows

    upgrade(empty_database_url, "0020_published_months")
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        org = conn.execute(text("INSERT INTO organizations (name, kind, created_at, updated_at)"
                                " VALUES ('Old Post', 'border_post', CURRENT_TIMESTAMP,"
                                " CURRENT_TIMESTAMP) RETURNING id")).scalar()
        compound = conn.execute(text(
            "INSERT INTO compounds (name, country_code, region, notes, created_at, updated_at)"
            " VALUES ('KK Park', 'MM', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            " RETURNING id")).scalar()
        people = [conn.execute(text(
            "INSERT INTO people (given_name, family_name, name_key, sex, nationality_code,"
            " languages, registered_by_organization_id, created_at, updated_at) VALUES"
            " (:g, '', :g, :sex, :nat, '[]', :org, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            " RETURNING id"), {"g": g, "sex": sex, "nat": nat, "org": org}).scalar()
            for g, sex, nat in (("a", "female", "IN"), ("b", "male", None), ("c", "other", "PH"))]
        for person, moment, point, direction, compound_id in [
                (0, "2025-06-01 03:00:00", "Bridge 1", "entry", compound),
                (0, "2025-06-01 09:00:00", "Bridge 2", "entry", None),
                (0, "2025-09-10 03:00:00", "Bridge 1", "entry", compound),
                (1, "2025-06-30 18:00:00", "Bridge 1", "entry", None),  # 1 July in Thailand
                (1, "2025-07-02 03:00:00", "Bridge 1", "entry", None),
                (2, "2025-06-15 03:00:00", "Bridge 2", "entry", compound),
                (2, "2025-06-20 03:00:00", "Airport", "exit", None)]:
            conn.execute(text(
                "INSERT INTO crossings (person_id, crossed_at, crossing_point, compound_id,"
                " direction, from_departure_list, recorded_by_organization_id, created_at,"
                " updated_at) VALUES (:p, :at, :point, :compound, :direction, false, :org,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"p": people[person], "at": f"{moment}+00:00", "point": point,
                 "compound": compound_id, "direction": direction, "org": org})
    engine.dispose()
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn, Session(bind=conn) as session:
        assert len(rollup_rows(session)) > 10
        assert_rollup_right(session)
        conn.rollback()


def test_migration_0022_stores_the_next_step_of_the_cases_already_there(empty_database_url):
    """Cases recorded before the next step was kept on the case get the one their rows give:
    the migration's SQL decides as app.cases.next_step.decide does (a refresh afterwards
    changes nothing), on the Thai days the queue shows."""
    from sqlmodel import Session, select

    from app.cases import next_step
    from app.cases.models import Case
    from app.clock import local_today
    from tests import factories
    from tests.cases import computed_queue

    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        ngo = factories.make_organization(session, name="Waiting NGO")
        caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo)
        computed_queue.make_varied_cases(session, organization=ngo, caseworker=caseworker,
                                         today=local_today())
        next_step.refresh(session)
        session.commit()

    def stored() -> list[tuple]:
        with Session(engine) as session:
            return [tuple(row) for row in session.exec(
                select(Case.id, Case.next_step, Case.waiting_on, Case.follow_up_due_on)
                .order_by(Case.id))]

    assert len({row[1] for row in stored()}) == 5  # every stored step (follow_up is a day)
    _filled_again_alike(empty_database_url, engine, "0021_crossing_rollup", stored)


def test_migration_0025_keeps_the_latest_suggestion_and_outcome_of_the_cases_already_there(
        empty_database_url):
    """Cases recorded before the suggestion and outcome were kept on the case get those of
    app.cases.latest: re-screened and re-decided cases whose later rows carry earlier times
    included (a refresh afterwards changes nothing)."""
    from sqlmodel import Session, select

    from app.cases import next_step
    from app.cases.models import Case
    from app.clock import local_today
    from tests import factories
    from tests.cases import computed_queue
    from tests.reports.test_statistics_export import NO_INDICATORS, VICTIM

    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        ngo = factories.make_organization(session, name="Revising NGO")
        caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo)
        computed_queue.make_varied_cases(session, organization=ngo, caseworker=caseworker,
                                         today=local_today())
        person = factories.make_person(session, organization=ngo)
        case = factories.make_case(session, person=person, organization=ngo)
        first = factories.make_screening(session, case=case, answers=VICTIM,
                                         at=factories.aware(2025, 10, 24))
        factories.make_screening(session, case=case, answers=NO_INDICATORS,
                                 at=factories.aware(2025, 10, 20))
        factories.make_determination(session, case=case, outcome="trafficking_victim",
                                     decided_by=caseworker, screening=first,
                                     at=factories.aware(2025, 10, 26))
        factories.make_determination(session, case=case, outcome="willing_worker",
                                     decided_by=caseworker, at=factories.aware(2025, 10, 21))
        next_step.refresh(session)  # the varied cases were opened days ago
        session.commit()

    def kept() -> list[tuple]:
        with Session(engine) as session:
            return [tuple(row) for row in session.exec(
                select(Case.id, Case.latest_suggestion, Case.latest_outcome).order_by(Case.id))]

    before = kept()
    assert before[-1][1:] == ("willing_worker", "willing_worker")
    assert {row[1] for row in before} > {None} and {row[2] for row in before} > {None}
    _filled_again_alike(empty_database_url, engine, "0024_queue_indexes_by_id", kept)


def _filled_again_alike(url: str, engine, down_to: str, read) -> None:
    """What a migration fills on the cases, dropped (down to `down_to`) and filled again by
    it, is what the app kept (`read` before and after), and a refresh changes nothing."""
    from sqlmodel import Session

    from app.cases import next_step

    before = read()
    engine.dispose()
    downgrade(url, down_to)
    upgrade(url)
    check(url)
    assert read() == before
    with Session(engine) as session:
        assert next_step.refresh(session) == 0
    engine.dispose()
