"""Imports run downwards: channels call the domain, the domain calls storage, never back up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("sms", "voice", "staff", "open311", "simulator")
# The one crossing docs/architecture.md names: a staff correction is carried out by the SMS
# handlers.
ALLOWED = {("staff.message_log", "sms.understood")}


def module_name(path):
    """The dotted name of a source file under ROOT ("staff/queue.py" -> "staff.queue")."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def channel_of(name):
    """The channel a dotted module name belongs to, or None for the domain and storage."""
    return next((c for c in CHANNELS if name == c or name.startswith(c + ".")), None)


def imports_of(path):
    """Every module (or name in a module) a source file imports, at the top or in a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def allowed(name, target):
    """Tell whether module NAME may import TARGET from another channel."""
    return any(name == a and (target == b or target.startswith(b + ".")) for a, b in ALLOWED)


SOURCES = [
    path
    for top in ("app", "sms", "voice", "staff", "open311", "simulator", "db")
    for path in sorted((ROOT / top).rglob("*.py"))
    if module_name(path) != "app"  # the factory registers every channel's blueprint
]
# The web helpers and the operators' endpoints (health, metrics) read the request; the rest of
# app/ and db/ never do.
DOMAIN = [
    path
    for path in SOURCES
    if not channel_of(module_name(path))
    and not module_name(path).startswith(("app.infra.web", "app.ops"))
]


@pytest.mark.parametrize("path", SOURCES, ids=module_name)
def test_a_module_imports_no_channel_but_its_own(path):
    name = module_name(path)
    own = channel_of(name)
    crossings = {
        target
        for target in imports_of(path)
        if channel_of(target) not in (None, own) and not allowed(name, target)
    }
    assert crossings == set()


@pytest.mark.parametrize("path", DOMAIN, ids=module_name)
def test_the_domain_and_storage_never_read_the_web_request(path):
    assert "flask.request" not in imports_of(path)
