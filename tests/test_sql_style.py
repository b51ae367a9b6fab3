"""Hand-written SQL names its parameters (":name" with a dict), never positional "?"."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("app", "sms", "voice", "staff", "open311", "simulator", "db", "bench")
# Calls that take an SQL statement or a WHERE clause: sqlite3's and sqlite-utils' execute and
# query, db.rows/db.first, the commune-scoped pair, and the table verbs' rows_where, count_where...
SQL_CALLS = {"execute", "executemany", "query", "rows", "first", "scoped_rows", "scoped_first"}
# db/__init__.py builds the insert/update helpers' statements itself; their callers pass dicts.
BUILDS_ITS_OWN = {"db/__init__.py"}
QUOTED = re.compile(r"'[^']*'")
# A "?" where SQL takes a value (after a comparison, a keyword, or in a list), for statements
# kept in a name before they are run.
SQL_WORD = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|SET|VALUES|AND|OR)\b")
PLACEHOLDER = re.compile(
    r"(?:[=<>(,]|\b(?:IN|IS|NOT|LIKE|GLOB|LIMIT|OFFSET|VALUES|THEN|ELSE|AND|OR))\s*\?(?![\w:=!<>#])"
)


def sql_call(node):
    """Tell whether NODE is a call whose arguments carry SQL."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in SQL_CALLS or name.endswith("_where")


def strings_in(node):
    """The text of every string literal inside NODE (f-string parts included)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield QUOTED.sub("", sub.value)  # a '?' inside an SQL string is no placeholder


def joins_marks(node):
    """Tell whether NODE joins "?" marks for an IN list: ", ".join("?" for _ in ids)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and any(text == "?" for arg in node.args for text in strings_in(arg))
    )


def positional_statements(source):
    """Line numbers in SOURCE where SQL takes a positional "?" parameter."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if sql_call(node):
            sql_args = node.args[:2] + [k.value for k in node.keywords if k.arg in ("sql", "where")]
            if any("?" in text for arg in sql_args for text in strings_in(arg)):
                found.add(node.lineno)
        if joins_marks(node):
            found.add(node.lineno)
        if isinstance(node, ast.Constant) and any(
            SQL_WORD.search(text) and PLACEHOLDER.search(text) for text in strings_in(node)
        ):
            found.add(node.lineno)
    return sorted(found)


SOURCES = [
    path
    for top in TOPS
    for path in sorted((ROOT / top).rglob("*.py"))
    if path.relative_to(ROOT).as_posix() not in BUILDS_ITS_OWN
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sql_names_its_parameters(path):
    lines = positional_statements(path.read_text(encoding="utf-8"))
    assert not lines, f"positional '?' SQL at lines {lines}; use :name with a dict"


@pytest.mark.parametrize(
    "source",
    [
        'db.execute("UPDATE t SET a = ? WHERE id = ?", [1, 2])',
        'first(db, "SELECT * FROM t WHERE id = ?", [1])',
        'db["t"].rows_where("a = ? AND b IS NULL", [1])',
        'db["t"].count_where(where="a = ?", where_args=[1])',
        'db.conn.executemany("INSERT INTO t (a) VALUES (?)", [(1,), (2,)])',
        'rows(db, f"SELECT * FROM t WHERE id IN ({marks})", ids); marks = ",".join("?" * 3)',
        'marks = ", ".join("?" for _ in ids)',
        'CLAUSE = " AND requests.priority < ?"',
        "STATEMENT = '''SELECT * FROM trips\n  WHERE hamlet_id IN (?, ?)'''",
    ],
)
def test_the_check_finds_positional_sql(source):
    assert positional_statements(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        'db.execute("UPDATE t SET a = :a WHERE id = :id", {"a": 1, "id": 2})',
        'first(db, "SELECT * FROM t WHERE note = \'why?\' AND id = :id", {"id": 1})',
        'reply("Ban can gi?")',
        'url.rstrip("?")',
        'HELP = "In danger? Call 115 (ambulance), 114 (fire) or 113 (police) now."',
        "'''The ?month= asked for, or the last complete month.'''",
        'KEYWORDS = {"?": "help"}',
        'WORD = re.compile(r"(?:^|\\s)(?P<no>OR|AND)(?=\\s|$)(?:\\s+(?:x|y))?")',
    ],
)
def test_the_check_lets_named_sql_and_plain_text_pass(source):
    assert positional_statements(source) == []
