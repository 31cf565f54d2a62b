import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_docker_compose_file_is_valid_compose():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema",
         "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_starts_with_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["bash scripts/demo",
                                                         "bash scripts/test"]
