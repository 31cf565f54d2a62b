import subprocess

from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.crossings.models import Crossing
from app.db import make_engine
from app.demo.roster import generate_roster, write_csv, write_xlsx
from tests.crossings.rosters import row


def run(database_url: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """The command line's own code, in this process (a new process spends seconds importing
    the app; that the installed `passage` command starts is shown by tests/test_cli.py)."""
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, list(args), input=input,
                                    env={"PASSAGE_DATABASE_URL": database_url})
    finally:
        get_settings.cache_clear()
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def crossing_count(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Crossing)).scalar_one()
    engine.dispose()
    return count


def test_import_roster_command_checks_imports_and_skips_on_reimport(fresh_database_url,
                                                                    tmp_path):
    run(fresh_database_url, "createuser", "somchai", "--role", "border_official",
        "--organization", "Mae Sot Border Post", "--password-stdin",
        input="a long enough password\n")
    # a fresh database knows no compounds
    rows = [{**r, "compound": ""} for r in generate_roster(size=200, seed=31)]
    path = tmp_path / "roster.xlsx"
    write_xlsx(rows, path)

    checked = run(fresh_database_url, "import-roster", str(path), "--as", "somchai",
                  "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "Checked (nothing written): 200 rows" in checked.stdout
    assert crossing_count(fresh_database_url) == 0

    imported = run(fresh_database_url, "import-roster", str(path), "--as", "somchai")
    assert imported.returncode == 0, imported.stderr
    assert "200 crossings recorded, 0 already on record" in imported.stdout
    assert "Checking rows" in imported.stderr  # the progress bar
    again = run(fresh_database_url, "import-roster", str(path), "--as", "somchai")
    assert "0 crossings recorded, 200 already on record" in again.stdout
    assert crossing_count(fresh_database_url) == 200


def test_import_roster_command_lists_every_error_and_refuses_other_roles(fresh_database_url,
                                                                        tmp_path):
    for name, role in (("somchai", "border_official"), ("maria", "coordinator")):
        run(fresh_database_url, "createuser", name, "--role", role, "--organization", "O",
            "--password-stdin", input="a long enough password\n")
    path = tmp_path / "bad.csv"
    write_csv([row(compound=""), row(nationality="Atlantis", compound=""),
               row(crossed_at="", compound="")], path)
    bad = run(fresh_database_url, "import-roster", str(path), "--as", "somchai")
    assert bad.returncode == 1
    assert "row 3, nationality: Not a nationality" in bad.stderr
    assert "row 4, crossed_at: Required" in bad.stderr
    assert "2 problem(s): nothing was imported." in bad.stderr
    assert crossing_count(fresh_database_url) == 0
    refused = run(fresh_database_url, "import-roster", str(path), "--as", "maria")
    assert refused.returncode == 2 and "may record crossings" in refused.stderr
    unknown = run(fresh_database_url, "import-roster", str(path), "--as", "nobody")
    assert unknown.returncode == 2
