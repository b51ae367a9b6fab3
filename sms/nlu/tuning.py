"""Cross-validation on the dev split, for choosing settings (never run on the held-out split).

    python -m sms.nlu.tuning [FOLDS] [-v]   # per-intent accuracy and risk, -v lists misses
    python -m sms.nlu.tuning --sweep        # the decision thresholds, side by side

Each fold trains as `flask nlu train` does, on the other folds plus their seeded
augmentation, and is read back with its own augmentation (accents stripped, teencode,
English, typos, requests buried in letters), so the thresholds are chosen on the ways of
writing the line must read, not on the tidy dev lines alone.
"""

import sys
import tempfile
from pathlib import Path

from sms.nlu import corpus, engine, evaluation, training
from sms.nlu.augment import augment
from sms.nlu.model import Model

# Thresholds the sweep tries: (engine setting, values).
SWEEP = (
    ("ACT_AT", (0.50, 0.60, 0.70, 0.80)),
    ("QUESTION_VETO", (0.30, 0.20, 0.10)),
    ("CLAUSE_ACT_AT", (0.70, 0.80, 0.90)),
)


def _fold_model(train_examples, tmp_path):
    fitted = training.fit(train_examples)
    training.export(fitted, tmp_path)
    return Model.load(tmp_path)


def folds(count=5):
    """Yield (catalogue, test examples) per fold: a model trained on the rest, augmented."""
    examples = corpus.read(corpus.DEV)
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(count):
            test = [e for i, e in enumerate(examples) if i % count == fold]
            train = [e for i, e in enumerate(examples) if i % count != fold]
            catalogue = engine.training_catalogue()
            catalogue.model = _fold_model(train + augment(train), Path(tmp) / f"f{fold}.json")
            yield catalogue, test + augment(test)


def cross_validate(count=5, show_errors=False):
    """Read every fold's left-out lines with the model of the others; return the Report."""
    merged = evaluation.Report()
    for catalogue, test in folds(count):
        merged.results.extend(evaluation.evaluate(test, catalogue).results)
    print_report(merged, show_errors)
    return merged


def summary(report):
    """One line: accuracy, confident wrong actions, handover in scope, worst intent."""
    accuracy, count = report.accuracy()
    wrong, _total = report.confident_wrong()
    handed, in_scope = report.handover_in_scope()
    worst = min(evaluation.by_family(report), key=lambda row: row[1])
    return (
        f"accuracy {accuracy:.3f} of {count}, confident wrong {wrong / count:.3f} ({wrong}), "
        f"handover in scope {handed / in_scope:.3f}, worst {worst[0]} {worst[1]:.2f}"
    )


def print_report(report, show_errors=False):
    print(summary(report))
    for family, accuracy, n in evaluation.by_family(report):
        print(f"  {family:12} {accuracy:.3f} ({n})")
    rate, wrong, total = report.confident_wrong_on_questions()
    print(f"confident wrong on questions {rate:.3f} ({wrong}/{total})")
    print("decisions", dict(report.decisions()))
    for name in ("hamlet", "procedure"):
        overall, recall, named, wrongly = report.entity_accuracy(name)
        print(f"{name}: all {overall:.3f}, named {recall:.3f} of {named}, wrong picks {wrongly}")
    print("urgency", dict(report.urgency_table()))
    if show_errors:
        for r in report.results:
            ex, rd = r.example, r.reading
            if not r.correct:
                print(
                    f"  INTENT {ex.intent} -> {r.predicted} [{rd.decision} {rd.confidence:.2f}"
                    f" {rd.how}] {ex.text[:300]}"
                )


def sweep(count=5):
    """Try each threshold of SWEEP on the cross-validated fold models; print the risk."""
    prepared = list(folds(count))
    for name, values in SWEEP:
        kept = getattr(engine, name)
        for value in values:
            setattr(engine, name, value)
            merged = evaluation.Report()
            for catalogue, test in prepared:
                merged.results.extend(evaluation.evaluate(test, catalogue).results)
            print(f"{name} {value:.2f}: {summary(merged)}")
        setattr(engine, name, kept)


if __name__ == "__main__":
    if "--sweep" in sys.argv:
        sweep()
    else:
        args = [a for a in sys.argv[1:] if not a.startswith("-")]
        cross_validate(int(args[0]) if args else 5, show_errors="-v" in sys.argv)
