"""The trained classifier as the web workers use it: exported weights and a pure-Python scorer.

Training (scikit-learn, `sms.nlu.training`) writes the TF-IDF vocabulary, its idf weights and
the two linear models' coefficients to one JSON file, the numbers as little-endian float64
bytes (base64), so loading them copies them once into `array.array`s. Scoring a message is a
dictionary look-up per feature and one weighted sum per class, with the standard library
alone: a web worker imports neither scikit-learn nor numpy. `tests/test_nlu_model.py` checks
that the probabilities equal scikit-learn's on every corpus message.
"""

import base64
import json
import math
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from operator import mul

from sms.nlu.text import features

FORMAT = 2
NO_PROCEDURE = "-"


@dataclass(frozen=True)
class Scores:
    """Probabilities from one message: intents and procedures, each best first."""

    intents: list  # [(intent, probability)], best first
    procedures: dict  # {code or "-": probability}


def pack(values):
    """Float64 VALUES as base64 text of their little-endian bytes (what `unpack` reads)."""
    numbers = array("d", values)
    if sys.byteorder != "little":
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def unpack(text):
    """The float64 array packed by `pack` (or by numpy's `astype("<f8").tobytes()`)."""
    numbers = array("d")
    numbers.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def _softmax(values):
    """Return the softmax of a list of floats, as scikit-learn computes it."""
    top = max(values)
    exp = [math.exp(value - top) for value in values]
    total = sum(exp)
    return [value / total for value in exp]


def _rows(packed, count, width):
    """Split one packed (COUNT x WIDTH) matrix into COUNT arrays of WIDTH floats."""
    flat = unpack(packed)
    if len(flat) != count * width:
        raise ValueError(f"weights hold {len(flat)} numbers, not {count} x {width}")
    return [flat[i * width : (i + 1) * width] for i in range(count)]


class Model:
    """A trained intent and procedure classifier, loaded from exported weights."""

    def __init__(self, exported):
        if exported.get("format") != FORMAT:
            raise ValueError(f"model format {exported.get('format')} is not {FORMAT}")
        self.intents = list(exported["intents"])
        self.procedures = list(exported["procedures"])
        self.index = {name: i for i, name in enumerate(exported["features"])}
        self.known = frozenset(exported["known_words"])
        width = len(self.index)
        self.idf = unpack(exported["idf"])
        if len(self.idf) != width:
            raise ValueError(f"{len(self.idf)} idf weights for {width} features")
        # One array per class, over the features: a class's score is one C-level sum.
        self.intent_weights = _rows(exported["intent_coef"], len(self.intents), width)
        self.procedure_weights = _rows(exported["procedure_coef"], len(self.procedures), width)
        self.intent_bias = list(unpack(exported["intent_bias"]))
        self.procedure_bias = list(unpack(exported["procedure_bias"]))
        self.sublinear = bool(exported["sublinear_tf"])
        self.trained_on = str(exported["trained_on"])

    @classmethod
    def load(cls, path):
        """Load a model written by `sms.nlu.training.export`."""
        with open(path, encoding="utf-8") as handle:
            try:
                exported = json.load(handle)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path} is not a model: {exc}") from exc
        if not isinstance(exported, dict):
            raise ValueError(f"{path} is not a model")
        return cls(exported)

    def tfidf(self, tokens):
        """The message's l2-normalised TF-IDF vector, as (feature rows, values)."""
        counts = Counter(map(self.index.get, features(tokens)))
        counts.pop(None, None)  # features the model never saw
        rows = list(counts)
        if self.sublinear:
            values = [(1.0 + math.log(counts[row])) * self.idf[row] for row in rows]
        else:
            values = [counts[row] * self.idf[row] for row in rows]
        norm = math.sqrt(sum(map(mul, values, values)))
        if norm:
            values = [value / norm for value in values]
        return rows, values

    def raw_scores(self, tokens):
        """Return the linear scores (intents, procedures) for normalised TOKENS."""
        rows, values = self.tfidf(tokens)

        def linear(weights, bias):
            return [
                sum(map(mul, values, map(column.__getitem__, rows))) + offset
                for column, offset in zip(weights, bias, strict=True)
            ]

        return (
            linear(self.intent_weights, self.intent_bias),
            linear(self.procedure_weights, self.procedure_bias),
        )

    def score(self, tokens):
        """Return the Scores of normalised TOKENS."""
        intent_raw, procedure_raw = self.raw_scores(tokens)
        intents = sorted(
            zip(self.intents, _softmax(intent_raw), strict=True), key=lambda item: -item[1]
        )
        procedures = dict(zip(self.procedures, _softmax(procedure_raw), strict=True))
        return Scores(intents, procedures)
