"""`flask nlu train` and `flask nlu export`: retrain the classifier, write out corrections."""

import sys

import click
from flask.cli import AppGroup, with_appcontext

from app.infra.database import get_db
from app.request_queue import corrections
from db import transaction
from sms.nlu import corpus, runtime


def _corrections(db):
    """The staff corrections as corpus Examples."""
    return [corpus.Example(**row) for row in corrections.labelled(db)]


nlu_cli = AppGroup("nlu", help="Train the message classifier and export staff corrections.")


@nlu_cli.command("train")
@click.option("--if-missing", is_flag=True, help="Only train when no model exists yet.")
@with_appcontext
def train_command(if_missing):
    """Train the classifier from the dev corpus and staff corrections into instance/."""
    from sms.nlu import training

    path = runtime.model_path()
    if if_missing and path.exists():
        click.echo(f"Classifier present: {path}")
        return
    db = get_db()
    extra = _corrections(db)
    fitted = training.train(path, extra)
    with transaction(db):
        runtime.mark_trained(db, fitted["count"])
    click.echo(
        f"Trained on {fitted['count']} messages ({fitted['dev']} of the dev split, "
        f"{fitted['augmented']} made from them by augmentation, {len(extra)} staff "
        f"corrections) into {path}."
    )


@nlu_cli.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@with_appcontext
def export_command(path):
    """Write the staff corrections as corpus lines (to PATH, or to standard output)."""
    rows = [corpus.line(example) for example in _corrections(get_db())]
    text = "\n".join([corpus.header(), *rows]) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"Wrote {len(rows)} corrections to {path}.")
    else:
        sys.stdout.write(text)
