"""The audit log's action list (app.labels.AUDIT_ACTIONS, offered in words as a filter) names
every action Passage records: read from the code itself, so that a new audit event cannot be
left out of the list (it would be unfindable by the filter that administrators use)."""

import ast
import re
from pathlib import Path

from app.labels import AUDIT_ACTIONS, AUDIT_ENTITY_WORDS, AUDIT_VERB_WORDS

APP = Path(__file__).resolve().parent.parent / "app"
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
# strings shaped like an action that are something else: configuration keys, event names
NOT_ACTIONS = {"alembic.ini", "sqlalchemy.url", "http.request"}


def _constants(node: ast.AST, module_names: dict[str, ast.AST]) -> list[str] | None:
    """The strings an expression given as `action=` can be; None when the code computes it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = (_constants(node.body, module_names),
                        _constants(node.orelse, module_names))
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and node.id in module_names:
        return _constants(module_names[node.id], module_names)
    return None


def _recorded_actions() -> tuple[dict[str, set[str]], list[str]]:
    """Every action the code names, with where; and the `action=` it cannot read."""
    found: dict[str, set[str]] = {}
    unreadable: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        if path.name == "labels.py":
            continue
        tree = ast.parse(path.read_text())
        where = str(path.relative_to(APP.parent))
        module_names = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                        for t in node.targets if isinstance(t, ast.Name)}
        skip: set[int] = set()
        for node in ast.walk(tree):
            # a foreign key names a table's column; a logger name is not an action
            if isinstance(node, ast.keyword) and node.arg == "foreign_key":
                skip.add(id(node.value))
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "getLogger"):
                skip.update(id(a) for a in node.args)
            if isinstance(node, ast.keyword) and node.arg == "action":
                values = _constants(node.value, module_names)
                # a name not bound to a constant passes an action along (main.py's refusals)
                if values is None and not isinstance(node.value, ast.Name):
                    unreadable.append(f"{where}:{node.lineno} {ast.unparse(node.value)}")
                for value in values or []:
                    found.setdefault(value, set()).add(where)
        # actions passed along by position (backup's _record) are strings of the same shape
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and ACTION.match(node.value) and id(node) not in skip
                    and node.value not in NOT_ACTIONS):
                found.setdefault(node.value, set()).add(where)
    return found, unreadable


def test_every_action_the_code_records_is_in_the_list():
    found, unreadable = _recorded_actions()
    assert unreadable == [], "name audit actions as string constants the list can be checked by"
    missing = {a: sorted(w) for a, w in found.items() if a not in AUDIT_ACTIONS}
    assert missing == {}, "add these to app.labels.AUDIT_ACTIONS (and words for their verbs)"


def test_the_list_names_no_action_the_code_never_records():
    found, _ = _recorded_actions()
    assert sorted(set(AUDIT_ACTIONS) - set(found)) == []


def test_every_listed_action_reads_in_words():
    unworded = [a for a in AUDIT_ACTIONS if a.partition(".")[0] not in AUDIT_ENTITY_WORDS
                or a.partition(".")[2] not in AUDIT_VERB_WORDS]
    assert unworded == []
