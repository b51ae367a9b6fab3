"""The procedure catalogue seeded by `flask seed`, read from procedures.toml beside it."""

import tomllib
from pathlib import Path

_DATA = tomllib.loads(Path(__file__).with_name("procedures.toml").read_text(encoding="utf-8"))

VERIFIED_AS_OF = _DATA["verified_as_of"]
PROCEDURES = _DATA["procedures"]
# Earlier seed texts that misled an elderly reader or were wrong: `flask seed` replaces a
# stored field that still holds its earlier text, and keeps any staff edit.
SUPERSEDED = _DATA["superseded"]
