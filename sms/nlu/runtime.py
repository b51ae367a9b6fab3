"""The understanding step inside the app: where the model lives, and the cached catalogue.

The model file is `instance/nlu-model.json` (config `NLU_MODEL_PATH` overrides it). When it is
missing, `make run`'s set-up and the worker's start train it (`flask nlu train --if-missing`,
a command of its own, so a web worker never imports scikit-learn). Workers load it with the
catalogue and reload both when the catalogue version changes, which `flask nlu train` bumps,
so a retrained model is picked up without any per-message file access.
"""

import datetime as dt
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import current_app

from app import communes
from app.catalogue import guidance, hamlets
from db import cache, transaction
from sms.nlu import corpus
from sms.nlu.engine import build_catalogue
from sms.nlu.model import Model

log = logging.getLogger(__name__)
MODEL_FILE = "nlu-model.json"
MODEL_SETTING = "nlu_model"  # a settings row whose change tells every worker to reload
TRAIN_TIMEOUT = 600


def model_path(app=None):
    """Return the path of the trained model for APP (or the current app)."""
    app = app or current_app
    return Path(app.config.get("NLU_MODEL_PATH") or Path(app.instance_path) / MODEL_FILE)


def ensure_model(app):
    """Train the model from the shipped corpus when it is missing (first start)."""
    path = model_path(app)
    if path.exists():
        return path
    log.info("no classifier at %s: training it from the corpus", path)
    try:
        subprocess.run(
            [sys.executable, "-m", "sms.nlu.training", str(path)],
            cwd=corpus.ROOT,
            check=True,
            timeout=TRAIN_TIMEOUT,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        # Keywords still work; everything else goes to a person until the model exists.
        log.error("could not train the classifier: %s", exc)
    return path


def _load_model(db):
    """The trained classifier (province-wide), or None when it cannot be loaded."""
    path = model_path()
    model = None
    if path.exists():
        try:
            model = Model.load(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("could not load the classifier %s: %s", path, exc)
    return model


def _load(db):
    """The bound commune's understanding catalogue: its hamlets and procedures, the model."""
    model = cache.cached(db, "sms.model", _load_model)
    return build_catalogue(
        guidance.all_procedures(db), hamlets.active(db), model, hamlets.index(db)
    )


def catalogue(db):
    """The bound commune's understanding catalogue, rebuilt when the catalogue changes."""
    return cache.cached(db, "sms.understanding", _load, communes.current_id())


def mark_trained(db, count):
    """Record a new model: changing this settings row makes every worker reload it."""
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    db.conn.execute(
        # The classifier is the province's: its version lives with the first commune.
        "INSERT INTO settings (commune_id, key, value) VALUES (1, :key, :value)"
        " ON CONFLICT (commune_id, key) DO UPDATE SET value = excluded.value",
        {"key": MODEL_SETTING, "value": f"{stamp} {count}"},
    )


def retrain_on_corrections(db):
    """Retrain on staff corrections newer than the model; keep it only if not worse.

    Training runs in a child process (`python -m sms.nlu.retrain`), so the worker never
    imports scikit-learn. Returns the verdict, or None when there is nothing new to learn.
    """
    from app.request_queue import corrections

    path = model_path()
    newest = db.execute("SELECT max(at) FROM nlu_corrections").fetchone()[0]
    trained_at = (
        dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat() if path.exists() else ""
    )
    if not newest or newest <= trained_at:
        return None
    lines = [corpus.header()]
    lines += [corpus.line(corpus.Example(**row)) for row in corrections.labelled(db)]
    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "corrections.tsv"
        listed.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "sms.nlu.retrain", str(listed), str(path)],
            cwd=corpus.ROOT,
            check=True,
            timeout=TRAIN_TIMEOUT,
            capture_output=True,
            text=True,
        )
    verdict = json.loads(done.stdout.strip().splitlines()[-1])
    if verdict["replaced"]:
        with transaction(db):
            mark_trained(db, verdict["count"])
    log.info("nightly retraining: %s", verdict)
    return verdict
