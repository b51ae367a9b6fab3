"""Cross-validation on the dev split, for choosing settings (never run on the held-out split).

python -m sms.nlu.tuning [FOLDS]
"""

import sys

from sms.nlu import corpus, engine, evaluation, training
from sms.nlu.model import Model


def _fold_model(train_examples, tmp_path):
    fitted = training.fit(train_examples)
    training.export(fitted, tmp_path)
    return Model.load(tmp_path)


def cross_validate(folds=5, show_errors=False):
    """Train on all dev folds but one, read the one left out; return the merged Report."""
    import tempfile
    from pathlib import Path

    examples = corpus.read(corpus.DEV)
    merged = evaluation.Report()
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(folds):
            test = [e for i, e in enumerate(examples) if i % folds == fold]
            train = [e for i, e in enumerate(examples) if i % folds != fold]
            model = _fold_model(train, Path(tmp) / f"fold{fold}.json")
            catalogue = engine.training_catalogue()
            catalogue.model = model
            merged.results.extend(evaluation.evaluate(test, catalogue).results)
    print_report(merged, show_errors)
    return merged


def print_report(report, show_errors=False):
    overall, count = report.accuracy()
    print(f"accuracy {overall:.3f} over {count}")
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
                    f" {rd.how}] {ex.text[:90]}"
                )
        for r in report.results:
            ex, rd = r.example, r.reading
            if ex.hamlet != rd.hamlet or ex.procedure != rd.procedure:
                print(
                    f"  ENTITY h {ex.hamlet}->{rd.hamlet} p {ex.procedure}->{rd.procedure}"
                    f" {ex.text[:90]}"
                )


def sweep(folds=5):
    """Try decision thresholds on cross-validated fold models; print accuracy and risk."""
    import tempfile
    from pathlib import Path

    examples = corpus.read(corpus.DEV)
    catalogues = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(folds):
            train = [e for i, e in enumerate(examples) if i % folds != fold]
            catalogue = engine.training_catalogue()
            catalogue.model = _fold_model(train, Path(tmp) / f"fold{fold}.json")
            catalogues.append(catalogue)
    for act in (0.45, 0.50, 0.55):
        for opt in (1.0, 0.3, 0.2, 0.15):
            engine.ACT_AT = act
            engine.QUESTION_VETO = opt
            merged = evaluation.Report()
            for fold, catalogue in enumerate(catalogues):
                test = [e for i, e in enumerate(examples) if i % folds == fold]
                merged.results.extend(evaluation.evaluate(test, catalogue).results)
            accuracy, _ = merged.accuracy()
            rate, wrong, _ = merged.confident_wrong_on_questions()
            worst = min(evaluation.by_family(merged), key=lambda row: row[1])
            print(
                f"act {act:.2f} opt {opt:.2f}: accuracy {accuracy:.3f}, "
                f"question wrong {rate:.3f} ({wrong}), worst {worst[0]} {worst[1]:.2f}"
            )


if __name__ == "__main__":
    if "--sweep" in sys.argv:
        sweep()
    else:
        cross_validate(int(sys.argv[1]) if len(sys.argv) > 1 else 5, show_errors="-v" in sys.argv)
