"""`flask voice placeholders` and `flask voice coverage`: the prompts' recordings from a shell."""

import click
from flask import current_app
from flask.cli import AppGroup

from app import communes
from app.infra.database import get_db
from app.ops.commune_cli import resolve
from app.prompts import audio as prompt_audio
from app.prompts import catalogue

voice_group = AppGroup("voice", help="Recordings of the voice prompts.")


def communes_of(db, code):
    """[Commune] of the commune CODE, or of every commune when CODE is None."""
    return [resolve(db, code)] if code else communes.every(db)


@voice_group.command("placeholders")
@click.option("--commune", "code", help="Commune code (the first commune when omitted).")
def placeholders_command(code):
    """Generate missing prompt recordings with espeak-ng, marked as placeholders."""
    db = get_db()
    commune = resolve(db, code)
    with communes.bound(commune):  # the prompts' texts are the commune's own
        made = prompt_audio.make_placeholders(db, current_app.config, commune.id)
    voices = ", ".join(prompt_audio.espeak_voice(lang) for lang in catalogue.LANGUAGES)
    click.echo(f"{commune.code}: {made} synthetic placeholders made with espeak-ng ({voices}).")


@voice_group.command("coverage")
@click.option("--commune", "code", help="Only this commune (every commune when omitted).")
@click.option("--list", "listing", is_flag=True, help="Also name the stale and missing prompts.")
def coverage_command(code, listing):
    """Print the prompts recorded, stale and missing, per commune and language."""
    db = get_db()
    for commune in communes_of(db, code):
        for language in catalogue.LANGUAGES:
            with communes.bound(commune):
                found = prompt_audio.coverage(db, commune.id, language)
            counts = "  ".join(f"{state} {len(entries)}" for state, entries in found.items())
            click.echo(f"{commune.code} {language}: {counts}")
            if listing:
                for state in ("stale", "missing"):
                    for entry in found[state]:
                        click.echo(f"  {state:<8} {entry.key}")
