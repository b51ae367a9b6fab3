"""Imports run downwards: channels call the domain, the domain calls storage, never back up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("sms", "voice", "staff", "open311", "simulator")
# The crossings docs/architecture.md names: a staff correction is carried out by the SMS
# handlers; the simulator plays Twilio's part, so it calls the voice channel's one entry.
ALLOWED = {("staff.message_log", "sms.understood"), ("simulator.phone", "voice.steps.answer_step")}


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


# Floors, lowest first: a module imports only from its own floor or below.
STORAGE, INFRASTRUCTURE, DOMAIN_FLOOR, ENTRY = range(4)
MODULES = {module_name(path): path for path in SOURCES}
# What storage must never import: the app above it, and the web framework.
ABOVE_STORAGE = ("app", "sms", "voice", "staff", "open311", "simulator", "flask", "click")


def floor_of(name):
    """The floor of a dotted module name: storage, infrastructure, domain or an entry point."""
    if name == "db" or name.startswith("db."):
        return STORAGE
    if name.startswith("app.infra"):
        return INFRASTRUCTURE
    if channel_of(name) or name == "app" or name.startswith("app.ops"):
        return ENTRY
    return DOMAIN_FLOOR


def project_module(target):
    """The project module TARGET (a module or a name in one) lives in, or None for libraries."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def project_imports(name):
    """The project modules module NAME imports (at the top or in a function), itself excepted."""
    found = {project_module(target) for target in imports_of(MODULES[name])}
    return found - {None, name}


def package_of(name):
    """The package a module belongs to: app.<noun> for the app, else its top-level folder."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "app" else parts[0]


def cycles(graph):
    """The strongly connected groups of more than one node in GRAPH (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while node not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=module_name)
def test_imports_run_downwards_from_channels_to_domain_to_storage(path):
    name = module_name(path)
    upward = {t for t in project_imports(name) if floor_of(t) > floor_of(name)}
    assert upward == set()


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if floor_of(module_name(p)) == STORAGE], ids=module_name
)
def test_storage_imports_neither_the_app_nor_flask(path):
    above = {
        target
        for target in imports_of(path)
        if any(target == top or target.startswith(top + ".") for top in ABOVE_STORAGE)
    }
    assert above == set()


def test_no_module_imports_a_module_that_imports_it_back():
    # A blueprint package's routes import its bp from the package itself (the microblog
    # pattern): an edge to one's own parent package is not a cycle of the layout.
    graph = {
        name: {t for t in project_imports(name) if not name.startswith(t + ".")} for name in MODULES
    }
    assert cycles(graph) == []


def test_no_package_imports_a_package_that_imports_it_back():
    graph = {}
    for name in MODULES:
        for target in project_imports(name):
            if package_of(target) != package_of(name):
                graph.setdefault(package_of(name), set()).add(package_of(target))
    assert cycles(graph) == []


@pytest.mark.parametrize("path", sorted((ROOT / "staff").rglob("*.py")), ids=module_name)
def test_the_staff_console_runs_no_sql_of_its_own(path):
    # Its lists live with the tables they read (request_lists, trip_lists, log_lists, logins).
    calls = {
        node.func.attr
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"execute", "executemany", "executescript"}
    }
    assert calls == set()


@pytest.mark.parametrize(
    "path", [p for p in DOMAIN if floor_of(module_name(p)) == DOMAIN_FLOOR], ids=module_name
)
def test_the_domain_is_handed_its_configuration_and_never_reads_the_app(path):
    assert {"flask.current_app", "flask.g"} & imports_of(path) == set()
