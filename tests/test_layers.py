"""The layers of DESIGN.md ("Dependencies run one way") as the import-linter contract in
pyproject.toml: it holds for the code, it names every package of the app, and an import
against it is reported."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = config["contracts"]
    return contract


def _layered_modules() -> set[str]:
    return {name.strip() for layer in _contract()["layers"]
            for name in layer.replace("|", ":").split(":")}


def _lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=project,
                          env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)


def test_the_code_keeps_the_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_and_module_of_the_app_is_in_a_layer():
    found = {f"app.{p.stem}" for p in (ROOT / "app").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__")
             or (p.is_dir() and (p / "__init__.py").exists())}
    assert found - _layered_modules() == set(), "add the new module to a layer in pyproject.toml"
    assert _layered_modules() - found == set()


@pytest.fixture
def scratch_copy(tmp_path) -> Path:
    """A copy of the app's code and contract, to break on purpose."""
    shutil.copytree(ROOT / "app", tmp_path / "app",
                    ignore=shutil.ignore_patterns("static", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "wrong_import", "reported"), [
    # the screening rules are pure: nothing of the app, not even the database
    ("app/screening/rules.py", "from app.db import utcnow",
     "app.screening is not allowed to import app.db"),
    # the registry knows nothing of cases (the person page with cases is in app.pages)
    ("app/people/service.py", "from app.cases.models import Case",
     "app.people is not allowed to import app.cases"),
    # the core knows no domain
    ("app/db.py", "from app.referrals.models import Referral",
     "app.db is not allowed to import app.referrals"),
])
def test_an_import_against_the_layers_is_reported(scratch_copy, module, wrong_import,
                                                  reported):
    target = scratch_copy / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    result = _lint(scratch_copy)
    assert result.returncode == 1, result.stdout
    assert reported in result.stdout
    assert "1 broken" in result.stdout
