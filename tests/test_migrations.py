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
