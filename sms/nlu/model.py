"""The trained classifier as the web workers use it: exported weights and a pure-Python scorer.

Training (scikit-learn, `sms.nlu.training`) writes the TF-IDF vocabulary, its idf weights and
the two linear models' coefficients to one JSON file, the numbers as little-endian float64
bytes (base64), so loading them copies them once into `array.array`s. Scoring a message is a
dictionary look-up per feature and a sum over its features' rows, with the standard library
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
from itertools import chain, islice
from operator import itemgetter, mul

from sms.nlu.text import sequence_features, token_features

FORMAT = 2
NO_PROCEDURE = "-"
# Words whose summed rows are kept (about 400 bytes each): a worker's residents write a few
# thousand distinct words.
WORD_CACHE = 4096


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


def _sums(vectors, width):
    """Column sums of the first WIDTH columns of VECTORS (rows of equal length), in C."""
    sums = list(islice(map(sum, zip(*vectors, strict=True)), width))
    return sums or [0.0] * width


def _add(scores, sums, factor):
    return [score + factor * part for score, part in zip(scores, sums, strict=True)]


def _sublinear_less(count):
    return 1.0 + math.log(count) - count


def _sublinear_squared_less(count):
    return (1.0 + math.log(count)) ** 2 - count


def _linear_less(_count):
    return 0.0


def _linear_squared_less(count):
    return float(count * count - count)


def _matrix(packed, count, width):
    """Unpack one (COUNT x WIDTH) matrix of float64, checking its size."""
    flat = unpack(packed)
    if len(flat) != count * width:
        raise ValueError(f"weights hold {len(flat)} numbers, not {count} x {width}")
    return flat


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
        intent_coef = _matrix(exported["intent_coef"], len(self.intents), width)
        procedure_coef = _matrix(exported["procedure_coef"], len(self.procedures), width)
        classes = [
            *(intent_coef[i * width : (i + 1) * width] for i in range(len(self.intents))),
            *(procedure_coef[i * width : (i + 1) * width] for i in range(len(self.procedures))),
        ]
        # One row per feature: its idf times each class's weight (intents, then procedures).
        # A message's scores are then column sums over its features' rows, done in C by
        # zip and sum (a float sum allocates nothing per term).
        self.rows = [
            array("d", [column[feature] * self.idf[feature] for column in classes])
            for feature in range(width)
        ]
        self.bias = [
            *unpack(exported["intent_bias"]),
            *unpack(exported["procedure_bias"]),
        ]
        if len(self.bias) != len(classes):
            raise ValueError(f"{len(self.bias)} intercepts for {len(classes)} classes")
        self.sublinear = bool(exported["sublinear_tf"])
        self._words = {}
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

    def raw_scores(self, tokens, intents_only=False):
        """Return the linear scores (intents, procedures) for normalised TOKENS.

        The same numbers as scikit-learn's l2-normalised TF-IDF times the coefficients plus
        the intercepts, summed in another order. INTENTS_ONLY sums the intent columns alone
        (procedures come back empty): the clauses of a letter need nothing more.

        Each word's own features are summed once per model (`_word`), so a message costs
        a row per word and per word pair, and a row per feature it repeats, not one per
        character n-gram: a feature seen C times counts 1 + log(C) (sublinear tf), not C,
        so the word sums are corrected by the rows of the features that repeat.
        """
        split = len(self.intents)
        width = split if intents_only else len(self.bias)
        table, idf = self.rows, self.idf
        found = map(self.index.get, sequence_features(tokens))
        spanning = [row for row in found if row is not None]
        entries = list(map(self._word, tokens))
        counts = Counter(spanning)
        counts.update(chain.from_iterable(map(itemgetter(0), entries)))
        vectors = list(map(table.__getitem__, spanning))
        vectors.extend(map(itemgetter(1), entries))
        scores = _sums(vectors, width)
        # The squared norm as if every feature counted once per time written (the words'
        # own sums), then corrected below for the features that repeat.
        weights = list(map(idf.__getitem__, spanning))
        squares = sum(map(mul, weights, weights)) + sum(map(itemgetter(2), entries))
        repeated = {}
        for row, count in sorted(counts.items(), key=itemgetter(1), reverse=True):
            if count == 1:
                break
            repeated.setdefault(count, []).append(row)
        tf_less, tf_squared_less = self._tf_corrections
        for count, rows in repeated.items():
            scores = _add(scores, _sums(map(table.__getitem__, rows), width), tf_less(count))
            weights = list(map(idf.__getitem__, rows))
            squares += tf_squared_less(count) * sum(map(mul, weights, weights))
        scale = 1.0 / math.sqrt(squares) if squares else 0.0
        scores = [score * scale + bias for score, bias in zip(scores, self.bias, strict=False)]
        return scores[:split], scores[split:]

    @property
    def _tf_corrections(self):
        """(tf(C) - C, tf(C)^2 - C) for a feature written C times: what the sums took too much."""
        if self.sublinear:
            return _sublinear_less, _sublinear_squared_less
        return _linear_less, _linear_squared_less

    def _word(self, token):
        """(feature rows, their summed row, the sum of their squared idf) of one word, cached."""
        entry = self._words.get(token)
        if entry is None:
            found = map(self.index.get, token_features(token))
            rows = array("i", [row for row in found if row is not None])
            weights = list(map(self.idf.__getitem__, rows))
            entry = (
                rows,
                array("d", _sums(map(self.rows.__getitem__, rows), len(self.bias))),
                sum(map(mul, weights, weights)),
            )
            if len(self._words) < WORD_CACHE:
                self._words[token] = entry
        return entry

    def intent_scores(self, tokens):
        """Return the intents of normalised TOKENS as (intent, probability) pairs, best first."""
        intent_raw = self.raw_scores(tokens, intents_only=True)[0]
        return sorted(
            zip(self.intents, _softmax(intent_raw), strict=True), key=lambda item: -item[1]
        )

    def best_intents(self, documents):
        """Return the likeliest (intent, probability) of each of DOCUMENTS (lists of tokens).

        The clauses of a letter are read in this one call: only the intent columns are
        summed, and only the best intent is kept (what `intent_scores(...)[0]` would give).
        """
        intents, raw_scores = self.intents, self.raw_scores
        best = []
        for tokens in documents:
            probabilities = _softmax(raw_scores(tokens, intents_only=True)[0])
            top = max(range(len(intents)), key=probabilities.__getitem__)
            best.append((intents[top], probabilities[top]))
        return best

    def score(self, tokens):
        """Return the Scores of normalised TOKENS."""
        intent_raw, procedure_raw = self.raw_scores(tokens)
        intents = sorted(
            zip(self.intents, _softmax(intent_raw), strict=True), key=lambda item: -item[1]
        )
        procedures = dict(zip(self.procedures, _softmax(procedure_raw), strict=True))
        return Scores(intents, procedures)
