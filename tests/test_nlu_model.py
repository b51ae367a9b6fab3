"""The exported classifier: the small scorer agrees with scikit-learn, training is repeatable."""

import json
import math
import subprocess
import sys

import pytest

from sms.nlu import corpus, engine, training
from sms.nlu.model import Model


@pytest.fixture(scope="module")
def fitted():
    return training.fit(corpus.read(corpus.DEV))


@pytest.fixture(scope="module")
def exported(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.json"
    training.export(fitted, path)
    return Model.load(path)


def _close(got, expected):
    """Probabilities equal to scikit-learn's up to float rounding (summing in another order)."""
    return all(
        math.isclose(a, b, rel_tol=0, abs_tol=1e-9) for a, b in zip(got, expected, strict=True)
    )


def _corpus_texts():
    """Every message of both splits, and a few odd ones."""
    texts = [example.text for example in corpus.read(corpus.DEV) + corpus.read(corpus.HELDOUT)]
    return [*texts, "", "xyz qqq", "HEN Phu Hoa A " * 40, "cấp cứu", "tamtruf"]


def test_the_pure_python_scorer_gives_scikit_learns_answers_on_every_corpus_message(
    fitted, exported
):
    catalogue = engine.training_catalogue()
    texts = _corpus_texts()
    documents = [engine.model_tokens(text, fitted["known"], catalogue) for text in texts]
    matrix = fitted["vectoriser"].transform(documents)
    expected_intents = fitted["intents"].predict_proba(matrix)
    expected_procedures = fitted["procedures"].predict_proba(matrix)
    predicted_intents = fitted["intents"].predict(matrix)
    predicted_procedures = fitted["procedures"].predict(matrix)
    for row, tokens in enumerate(documents):
        scores = exported.score(tokens)
        intents = dict(scores.intents)
        got = [intents[name] for name in fitted["intents"].classes_]
        assert _close(got, expected_intents[row]), texts[row]
        assert scores.intents[0][0] == predicted_intents[row], texts[row]
        # The intents alone (how a letter's clauses are read) are the same numbers.
        alone = dict(exported.intent_scores(tokens))
        assert _close([alone[name] for name in fitted["intents"].classes_], got), texts[row]
        got = [scores.procedures[name] for name in fitted["procedures"].classes_]
        assert _close(got, expected_procedures[row]), texts[row]
        best_procedure = max(scores.procedures, key=scores.procedures.get)
        assert best_procedure == predicted_procedures[row], texts[row]


def test_the_understanding_step_scores_with_numpy_unimportable(nlu_model_path):
    """A process that cannot import numpy (nor scikit-learn) loads the model and reads a text."""
    probe = (
        "import sys\n"
        "for name in ('numpy', 'scipy', 'sklearn', 'pandas'):\n"
        "    sys.modules[name] = None  # import raises ModuleNotFoundError\n"
        "from sms.nlu import engine\n"
        "from sms.nlu.model import Model\n"
        "catalogue = engine.training_catalogue()\n"
        f"catalogue.model = Model.load({str(nlu_model_path)!r})\n"
        "reading = engine.understand('nho mấy chú ghe nha lam can cuoc cho ma toi', catalogue)\n"
        "print(reading.intent, reading.procedure)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=corpus.ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["visit", "CANCUOC"]


def test_training_twice_gives_the_same_weights(fitted, tmp_path):
    again = training.fit(corpus.read(corpus.DEV))
    assert again["intents"].coef_.tolist() == fitted["intents"].coef_.tolist()
    assert again["procedures"].coef_.tolist() == fitted["procedures"].coef_.tolist()
    assert list(again["vectoriser"].get_feature_names_out()) == list(
        fitted["vectoriser"].get_feature_names_out()
    )


def test_the_exported_model_knows_every_intent_and_procedure(exported):
    assert set(exported.intents) == {
        "visit",
        "schedule",
        "guidance",
        "status",
        "cancel",
        "question",
        "opt_out",
        "opt_in",
        "help",
        "language",
        "menu_reply",
    }
    assert "-" in exported.procedures and "KHAISINH" in exported.procedures
    assert "SINH" in exported.known


def test_a_model_of_another_format_is_refused(tmp_path, fitted):
    path = training.export(fitted, tmp_path / "model.json")
    changed = json.loads(path.read_text())
    changed["format"] = 99
    (tmp_path / "other.json").write_text(json.dumps(changed))
    with pytest.raises(ValueError):
        Model.load(tmp_path / "other.json")


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError):
        Model.load(tmp_path / "broken.json")


def test_the_corpus_splits_are_large_labelled_and_disjoint():
    heldout = corpus.read(corpus.HELDOUT)
    dev = corpus.read(corpus.DEV)
    assert len(heldout) >= 250 and len(heldout) + len(dev) >= 800

    def norm(text):
        return " ".join(text.lower().split())

    assert not {norm(e.text) for e in heldout} & {norm(e.text) for e in dev}
    families = {e.family for e in heldout}
    assert families == {
        "visit",
        "schedule",
        "guidance",
        "status",
        "cancel",
        "question",
        "opt_out",
        "opt_in",
        "help",
        "language",
        "menu_reply",
    }


def test_the_second_heldout_split_is_large_new_and_in_the_six_styles():
    second = corpus.read(corpus.HELDOUT2)
    assert len(second) >= 300

    def norm(text):
        return "".join(text.lower().split())

    others = corpus.read(corpus.HELDOUT) + corpus.read(corpus.DEV)
    assert not {norm(e.text) for e in second} & {norm(e.text) for e in others}
    assert sum(len(e.text) >= 250 for e in second) >= 40  # long letters
    assert {e.family for e in second} >= {"visit", "schedule", "status", "cancel", "question"}
