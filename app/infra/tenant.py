"""The commune the work at hand belongs to, bound by the edge that resolved it.

Infrastructure (the local clock) reads it without knowing what a commune is: anything with
an `id` and a `zone`. The domain's Commune value and its lookups live in app.communes.
"""

import contextlib
import contextvars

FIRST_ID = 1

_current = contextvars.ContextVar("commune", default=None)


class NoCommune(LookupError):
    """Raised when commune-specific work runs with no commune bound."""


class NoCommuneBound(NoCommune):
    """Raised when a commune's rows are read or written with no commune bound."""


@contextlib.contextmanager
def bound(commune):
    """Bind COMMUNE for the block: deep helpers (SMS prefix, local time) read it."""
    if commune is None or not hasattr(commune, "id"):
        raise TypeError(f"bound() takes a Commune, not {commune!r}")
    token = _current.set(commune)
    try:
        yield commune
    finally:
        _current.reset(token)


@contextlib.contextmanager
def unbound():
    """Run the block with no commune bound (an edge resolves its own)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def current():
    """Return the commune bound for the work at hand; raise NoCommuneBound when none is."""
    commune = _current.get()
    if commune is None:
        raise NoCommuneBound(
            "no commune is bound: the edge (webhook, console, API key, CLI --commune, worker)"
            " resolves one and binds it with communes.bound"
        )
    return commune


def current_or_none():
    """Return the bound commune, or None."""
    return _current.get()


def current_id():
    """Return the bound commune's id; raise NoCommuneBound when none is bound.

    There is no fallback to the first commune: work that reached here unbound would read or
    write the first commune's rows for another's. Every edge binds the commune it resolved.
    """
    return current().id
