"""The exported classifier: the small scorer agrees with scikit-learn, training is repeatable."""

import numpy as np
import pytest

from sms.nlu import corpus, engine, training
from sms.nlu.model import Model


@pytest.fixture(scope="module")
def fitted():
    return training.fit(corpus.read(corpus.DEV))


@pytest.fixture(scope="module")
def exported(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    training.export(fitted, path)
    return Model.load(path)


def _texts():
    dev = [example.text for example in corpus.read(corpus.DEV)[::7]]
    return [*dev, "", "xyz qqq", "HEN Phu Hoa A " * 40, "cấp cứu", "tamtruf"]


def test_the_scorer_gives_scikit_learns_probabilities(fitted, exported):
    catalogue = engine.training_catalogue()
    texts = _texts()
    documents = [engine.model_tokens(text, fitted["known"], catalogue) for text in texts]
    matrix = fitted["vectoriser"].transform(documents)
    expected_intents = fitted["intents"].predict_proba(matrix)
    expected_procedures = fitted["procedures"].predict_proba(matrix)
    for row, tokens in enumerate(documents):
        scores = exported.score(tokens)
        intents = dict(scores.intents)
        got = [intents[name] for name in fitted["intents"].classes_]
        assert np.allclose(got, expected_intents[row], atol=1e-4)
        got = [scores.procedures[name] for name in fitted["procedures"].classes_]
        assert np.allclose(got, expected_procedures[row], atol=1e-4)


def test_training_twice_gives_the_same_weights(fitted, tmp_path):
    again = training.fit(corpus.read(corpus.DEV))
    assert np.array_equal(again["intents"].coef_, fitted["intents"].coef_)
    assert np.array_equal(again["procedures"].coef_, fitted["procedures"].coef_)
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
    path = training.export(fitted, tmp_path / "model.npz")
    with np.load(path) as arrays:
        changed = {key: arrays[key] for key in arrays.files}
    changed["format"] = np.array(99)
    np.savez(tmp_path / "other.npz", **changed)
    with pytest.raises(ValueError):
        Model.load(tmp_path / "other.npz")


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
