"""The one migration set; each era module adds its steps to it as it is imported."""

from sqlite_utils import Migrations

migrations = Migrations("hamlet-line")
