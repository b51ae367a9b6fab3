"""Nightly retraining on staff corrections, kept only if held-out accuracy is not lower.

The worker runs this module in a child process (training imports scikit-learn, which a
worker never does): a candidate model is trained from the augmented dev split and every
correction, both models read both held-out splits, and the candidate replaces the current
model only when its accuracy is not lower on either split. The held-out splits judge; they
are never trained on.

    python -m sms.nlu.retrain CORRECTIONS.tsv MODEL.json   # prints the verdict as JSON
"""

import json
import os
import sys
from pathlib import Path

from sms.nlu import corpus, evaluation
from sms.nlu.model import Model
from sms.nlu.reading import training_catalogue

SPLITS = {"old": corpus.HELDOUT, "new": corpus.HELDOUT2}


def held_out_accuracy(model):
    """The accuracy of MODEL on each held-out split: {"old": 0.97, "new": 0.93}."""
    catalogue = training_catalogue()
    catalogue.model = model
    return {
        name: evaluation.evaluate(corpus.read(path), catalogue, repeat=1).accuracy()[0]
        for name, path in SPLITS.items()
    }


def not_lower(candidate, current):
    """Tell whether the CANDIDATE's accuracies are at least the CURRENT's on every split."""
    return all(candidate[name] >= current[name] for name in current)


def retrain(corrections, model_path):
    """Train a candidate with CORRECTIONS; keep it at MODEL_PATH only if not worse."""
    from sms.nlu import training

    model_path = Path(model_path)
    candidate_path = model_path.with_name(".candidate-" + model_path.name)
    fitted = training.train(candidate_path, corrections)
    candidate = held_out_accuracy(Model.load(candidate_path))
    current = held_out_accuracy(Model.load(model_path)) if model_path.exists() else None
    replaced = current is None or not_lower(candidate, current)
    if replaced:
        os.replace(candidate_path, model_path)
    else:
        candidate_path.unlink()
    return {
        "replaced": replaced,
        "candidate": candidate,
        "current": current,
        "count": fitted["count"],
        "corrections": len(corrections),
    }


def main(argv=None):
    """Retrain from the corrections file named first into the model named second."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m sms.nlu.retrain CORRECTIONS.tsv MODEL.json", file=sys.stderr)
        return 2
    verdict = retrain(corpus.read(argv[0]), argv[1])
    print(json.dumps(verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
