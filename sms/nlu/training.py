"""Training: fit the TF-IDF + logistic-regression classifier and export its weights.

Only `flask nlu train`, the first start, the tests and the benchmark import this module (and
with it scikit-learn and numpy, from the training-only packages); the web workers score with
`sms.nlu.model`. Training is deterministic (the
lbfgs solver has no random state) and takes a few seconds on the shipped corpus.

    python -m sms.nlu.training OUT.json   # train from the dev split alone, without Flask
"""

import base64
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from sms.nlu import corpus, engine
from sms.nlu.augment import augment
from sms.nlu.model import FORMAT, NO_PROCEDURE
from sms.nlu.normalise import normalise
from sms.nlu.packages import use_training_packages
from sms.nlu.text import TELEX_TAILS, words

# scikit-learn and numpy are installed apart from the web's packages (sms.nlu.packages).
use_training_packages()
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

# Settings chosen by cross-validation on the dev split (`python -m sms.nlu.tuning`).
C_INTENT = 50.0
C_PROCEDURE = 20.0
MIN_DF = 1
SUBLINEAR_TF = True
MAX_ITER = 3000
CLASS_WEIGHT = "balanced"


def _identity(tokens):
    return tokens


def known_words(examples):
    """The words of the training messages, without telex-key typos of other known words.

    The normalised forms are known too ("mún" is written, "MUON" is read), so run-together
    words split into them.
    """
    seen = set()
    for example in examples:
        seen.update(words(example.text))
    known = frozenset(word for word in seen if not (word[-1] in TELEX_TAILS and word[:-1] in seen))
    read = set()
    for example in examples:
        read.update(normalise(words(example.text, known), known))
    return known | read


def fit(examples, hamlets=None):
    """Fit the vectoriser and both classifiers on EXAMPLES; return what `export` writes."""
    known = known_words(examples)
    catalogue = engine.training_catalogue(hamlets)
    documents = [engine.model_tokens(example.text, known, catalogue) for example in examples]
    vectoriser = TfidfVectorizer(
        analyzer=engine.model_features,
        lowercase=False,
        min_df=MIN_DF,
        sublinear_tf=SUBLINEAR_TF,
        norm="l2",
        smooth_idf=True,
    )
    matrix = vectoriser.fit_transform(documents)
    intents = LogisticRegression(C=C_INTENT, max_iter=MAX_ITER, class_weight=CLASS_WEIGHT)
    procedures = LogisticRegression(C=C_PROCEDURE, max_iter=MAX_ITER, class_weight=CLASS_WEIGHT)
    # One BLAS thread: on a busy two-core machine, threads make lbfgs ten times slower.
    with threadpool_limits(limits=1):
        intents.fit(matrix, [engine.model_intent(example.intent) for example in examples])
        procedures.fit(matrix, [example.procedure or NO_PROCEDURE for example in examples])
    return {
        "vectoriser": vectoriser,
        "intents": intents,
        "procedures": procedures,
        "known": known,
        "count": len(examples),
    }


def export(fitted, path):
    """Write the fitted model's weights to PATH (JSON, read by `sms.nlu.model`), atomically."""
    vectoriser = fitted["vectoriser"]
    exported = {
        "format": FORMAT,
        "intents": [str(name) for name in fitted["intents"].classes_],
        "procedures": [str(name) for name in fitted["procedures"].classes_],
        "features": [str(name) for name in vectoriser.get_feature_names_out()],
        "known_words": sorted(fitted["known"]),
        "idf": _packed(vectoriser.idf_),
        "intent_coef": _packed(_coefficients(fitted["intents"])),
        "intent_bias": _packed(_intercepts(fitted["intents"])),
        "procedure_coef": _packed(_coefficients(fitted["procedures"])),
        "procedure_bias": _packed(_intercepts(fitted["procedures"])),
        "sublinear_tf": SUBLINEAR_TF,
        "trained_on": f"{fitted['count']} messages",
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".nlu-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(exported, out, ensure_ascii=False)
    os.replace(temp, path)
    return path


def _packed(matrix):
    """A float64 matrix as the base64 of its little-endian bytes, rows one after another."""
    return base64.b64encode(np.ascontiguousarray(matrix, dtype="<f8").tobytes()).decode("ascii")


def _coefficients(model):
    """Coefficients as (classes, features); a two-class model is widened to two rows."""
    coef = model.coef_
    return np.vstack([-coef, coef]) / 2 if coef.shape[0] == 1 else coef


def _intercepts(model):
    bias = model.intercept_
    return np.concatenate([-bias, bias]) / 2 if bias.shape[0] == 1 else bias


def training_examples(extra=()):
    """The dev split, its seeded augmentation (sms.nlu.augment) and EXTRA (corrections)."""
    dev = corpus.read(corpus.DEV)
    made = augment(dev)
    return dev + made + list(extra), len(dev), len(made)


def train(path, extra=()):
    """Train on the augmented dev split plus EXTRA examples (staff corrections); write PATH."""
    examples, dev, made = training_examples(extra)
    fitted = fit(examples)
    fitted["dev"], fitted["augmented"] = dev, made
    export(fitted, path)
    return fitted


def corpus_digest():
    """A short digest of the training split, stored beside the model."""
    return hashlib.sha256(corpus.DEV.read_bytes()).hexdigest()[:12]


def main(argv=None):
    """Train from the dev split into the file named on the command line."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m sms.nlu.training OUT.json", file=sys.stderr)
        return 2
    fitted = train(argv[0])
    print(f"trained on {fitted['count']} messages into {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
