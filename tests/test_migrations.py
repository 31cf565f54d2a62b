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
