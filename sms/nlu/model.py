"""The trained classifier as the web workers use it: exported weights and a small scorer.

Training (scikit-learn, `sms.nlu.training`) writes the TF-IDF vocabulary, its idf weights and
the two linear models' coefficients to one `.npz` file. Scoring a message is then a dictionary
look-up per feature and one small matrix product, so a worker never imports scikit-learn and
the model costs it a few megabytes; `tests/test_nlu_model.py` checks that the scores equal
scikit-learn's own.
"""

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from sms.nlu.text import features

FORMAT = 1
NO_PROCEDURE = "-"


@dataclass(frozen=True)
class Scores:
    """Probabilities from one message: intents and procedures, each best first."""

    intents: list  # [(intent, probability)], best first
    procedures: dict  # {code or "-": probability}


def _softmax(values):
    """Return the softmax of a 1-D array as a list of floats."""
    shifted = values - values.max()
    exp = np.exp(shifted)
    return (exp / exp.sum()).tolist()


class Model:
    """A trained intent and procedure classifier, loaded from exported weights."""

    def __init__(self, arrays):
        if int(arrays["format"]) != FORMAT:
            raise ValueError(f"model format {int(arrays['format'])} is not {FORMAT}")
        self.intents = [str(name) for name in arrays["intents"]]
        self.procedures = [str(name) for name in arrays["procedures"]]
        self.index = {str(name): i for i, name in enumerate(arrays["features"])}
        self.known = frozenset(str(word) for word in arrays["known_words"])
        # float32 halves the weights' memory; the scores still match scikit-learn's to 1e-4.
        self.idf = arrays["idf"].astype(np.float32)
        # One row per feature: the intent weights, then the procedure weights.
        self.weights = np.ascontiguousarray(
            np.hstack([arrays["intent_coef"].T, arrays["procedure_coef"].T]), dtype=np.float32
        )
        self.intent_bias = arrays["intent_bias"].astype(np.float64)
        self.procedure_bias = arrays["procedure_bias"].astype(np.float64)
        self.sublinear = bool(arrays["sublinear_tf"])
        self.trained_on = str(arrays["trained_on"])

    @classmethod
    def load(cls, path):
        """Load a model written by `sms.nlu.training.export`."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls({key: arrays[key] for key in arrays.files})

    def raw_scores(self, tokens):
        """Return the linear scores (intents, procedures) for normalised TOKENS."""
        counts = Counter(map(self.index.get, features(tokens)))
        counts.pop(None, None)  # features the model never saw
        split = len(self.intents)
        if not counts:
            return self.intent_bias.copy(), self.procedure_bias.copy()
        rows = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        weighted = tf * self.idf[rows]
        weighted /= math.sqrt(float(weighted @ weighted))
        scores = weighted @ self.weights[rows]
        return scores[:split] + self.intent_bias, scores[split:] + self.procedure_bias

    def score(self, tokens):
        """Return the Scores of normalised TOKENS."""
        intent_raw, procedure_raw = self.raw_scores(tokens)
        intents = sorted(
            zip(self.intents, _softmax(intent_raw), strict=True), key=lambda item: -item[1]
        )
        procedures = dict(zip(self.procedures, _softmax(procedure_raw), strict=True))
        return Scores(intents, procedures)
