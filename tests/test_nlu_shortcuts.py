"""The understanding step's shortcuts give the answers of the long way round.

Each shortcut skips work whose result cannot change (a window no name is one edit from,
a phrase longer than any, the clauses of a letter scored in one call); these tests hold
each to the plain computation it replaces.
"""

import math
from collections import Counter

import pytest
from rapidfuzz.distance import OSA

from app.catalogue.hamlets import add_ends, near
from sms import keywords
from sms.nlu import corpus, engine, training
from sms.nlu.clauses import clauses
from sms.nlu.model import Model
from sms.nlu.text import features

LETTERS = "ACDGHIKLMNOPTUY"


def _one_edit_variants(word):
    """Every word one OSA edit from WORD over LETTERS: substitution, insertion, deletion, swap."""
    found = set()
    for i in range(len(word) + 1):
        for letter in LETTERS:
            found.add(word[:i] + letter + word[i:])
            if i < len(word):
                found.add(word[:i] + letter + word[i + 1 :])
        if i < len(word):
            found.add(word[:i] + word[i + 1 :])
        if i + 1 < len(word):
            found.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return found


@pytest.mark.parametrize("word", ["PHUHOA", "PHUTHUAN", "LONGHAU", "KHAISINH", "CHUNGTHUC"])
def test_every_word_one_edit_away_passes_the_quick_check(word):
    starts, stops = set(), set()
    add_ends(starts, stops, (), word)
    variants = _one_edit_variants(word)
    assert all(OSA.distance(word, typed) <= 1 for typed in variants)
    assert all(near(starts, stops, (), typed) for typed in variants if len(typed) >= 5)
    # And it does turn away what is further off.
    assert not near(starts, stops, (), "XYZXYZ")


def test_hamlets_and_procedures_are_found_as_the_plain_search_finds_them():
    catalogue = engine.training_catalogue()
    hamlets, procedures = catalogue.hamlets, catalogue.procedures
    texts = [example.text for example in corpus.read(corpus.DEV)]
    texts += ["phu hao a", "phuthuan b", "lon hau", "khai sinhh", "kahi sinh", "chung thuc ban sao"]
    for text in texts:
        tokens = engine.read_tokens(text)[1]
        assert hamlets.find(tokens) == _plain_hamlet(hamlets, tokens), text
        assert procedures.find_all(tokens) == _plain_procedures(procedures, tokens), text


def test_every_typo_of_a_procedure_word_is_found_as_the_plain_search_finds_it():
    """`ProcedureIndex._windows` reads only the windows a word or its typo could fill:
    every one-edit typo of every word, typed whole or split over two or three words, in a
    sentence and alone, is found as reading every window finds it."""
    procedures = engine.training_catalogue().procedures
    typed = {word for candidates in procedures.near.values() for word in candidates}
    checked = found = 0
    for word in sorted(typed):
        for variant in sorted(_one_edit_variants(word)):
            cut = len(variant) // 3
            for spaced in (variant, f"{variant[:cut]} {variant[cut:]}", " ".join(variant[:3])):
                for tokens in (spaced.split(), ["XIN", "HOI", *spaced.split(), "O", "DAU"]):
                    expected = _plain_procedures(procedures, tokens)
                    assert procedures._find_all(tokens) == expected, tokens
                    checked += 1
                    found += bool(expected)
    assert found > checked // 2


def test_procedures_in_long_letters_are_found_as_the_plain_search_finds_them():
    from sms.nlu.augment import augment

    procedures = engine.training_catalogue().procedures
    dev = corpus.read(corpus.DEV)
    letters = [e.text for e in dev + augment(dev) if len(e.text) > engine.LONG_MESSAGE]
    assert len(letters) > 500
    for letter in letters:
        tokens = engine.read_tokens(letter)[1]
        assert procedures._find_all(tokens) == _plain_procedures(procedures, tokens), letter


def test_every_typo_of_a_hamlet_name_is_found_as_the_plain_search_finds_it():
    """HamletIndex.find's quick check of a name without suffix, by its two letters, turns
    away only what `near` turns away: every one-edit typo of every name, whole or split,
    with and without a suffix after it, alone and in a sentence."""
    hamlets = engine.training_catalogue().hamlets
    bases = {base for table in hamlets.plain.values() for base, _code in table}
    suffixes = sorted(hamlets.suffixed)
    bases |= {base for by in hamlets.suffixed.values() for t in by.values() for base, _c in t}
    checked = found = 0
    for base in sorted(bases):
        for variant in sorted(_one_edit_variants(base)):
            cut = len(variant) // 2
            for spaced in (variant, f"{variant[:cut]} {variant[cut:]}"):
                for after in ([], suffixes[:1], ["NHA"]):
                    tokens = ["HEN", "AP", *spaced.split(), *after, "NHE"]
                    expected = _plain_hamlet(hamlets, tokens)
                    assert hamlets.find(tokens) == expected, tokens
                    checked += 1
                    found += expected is not None
    assert found > checked // 2


def test_hamlets_in_long_letters_are_found_as_the_plain_search_finds_them():
    from sms.nlu.augment import augment

    hamlets = engine.training_catalogue().hamlets
    dev = corpus.read(corpus.DEV)
    letters = [e.text for e in dev + augment(dev) if len(e.text) > engine.LONG_MESSAGE]
    for letter in letters:
        tokens = engine.read_tokens(letter)[1]
        assert hamlets.find(tokens) == _plain_hamlet(hamlets, tokens), letter


def _plain_procedures(index, tokens):
    """ProcedureIndex.find_all without its quick checks: every window up to the longest word."""
    from rapidfuzz import process

    from sms.nlu.entities import MAX_WINDOW, MIN_FUZZY_LENGTH, WHOLE_MESSAGE_ONLY, Found

    whole = "".join(tokens)
    if whole in index.words:
        return [Found(index.words[whole], 0, len(tokens))]
    longest = max(len(word) for word in index.words) + 1
    found = []
    for start in range(len(tokens)):
        joined = ""
        for end in range(start + 1, min(start + MAX_WINDOW, len(tokens)) + 1):
            joined += tokens[end - 1]
            if len(joined) > longest:
                break
            code = index.words.get(joined)
            if code is not None:
                if joined not in WHOLE_MESSAGE_ONLY:
                    found.append((len(joined), Found(code, start, end)))
                continue
            near = index.near.get((len(joined), joined[0]))
            if len(joined) >= MIN_FUZZY_LENGTH and near:
                hit = process.extractOne(joined, near, scorer=OSA.distance, score_cutoff=1)
                if hit:
                    found.append((len(joined), Found(index.words[hit[0]], start, end)))
    found.sort(key=lambda item: (-item[0], item[1].start))
    return [item for _size, item in found]


def _plain_hamlet(index, tokens):
    """HamletIndex.find without its quick checks: every window scored."""
    from app.catalogue.hamlets import MAX_WINDOW, Found

    best = None
    for start in range(len(tokens)):
        joined = ""
        for end in range(start + 1, min(start + MAX_WINDOW, len(tokens)) + 1):
            joined += tokens[end - 1]
            score = index._score(joined, tokens[end - 1])
            if score is None:
                continue
            key = (score[1], -(end - start), start)
            if best is None or key < best[0]:
                best = (key, Found(score[0], start, end))
    return best[1] if best else None


def test_the_longest_phrase_is_still_found_anywhere_in_a_text():
    vocab = engine.training_catalogue().vocabulary
    longest = max((word for word in vocab.table if keywords._anywhere(word, vocab.table)), key=len)
    assert keywords._phrase(["A", "B", longest], vocab.table, vocab.phrase_prefixes) == longest


def _plain_phrase(words, table):
    """keywords._phrase without its prefix check: every window of up to MAX_SPAN_WORDS words."""
    for start in range(len(words)):
        for end in range(start + 1, min(start + keywords.MAX_SPAN_WORDS, len(words)) + 1):
            joined = "".join(words[start:end])
            if len(joined) >= keywords.MIN_FUZZY and joined in table:
                if keywords._anywhere(joined, table):
                    return joined
    return None


def test_phrases_are_found_as_the_plain_search_finds_them():
    vocab = engine.training_catalogue().vocabulary
    texts = [example.text for example in corpus.read(corpus.DEV)]
    texts += ["toi muon xin den nha", "con huy hen nhe", "lam giay khai sinh", "chung thuc ban sao"]
    phrases = [word for word in vocab.table if keywords._anywhere(word, vocab.table)]
    # Each phrase split in two at every letter, as residents space words.
    texts += [f"chao co {word[:cut]} {word[cut:]} nha" for word in phrases for cut in range(1, 4)]
    found = 0
    for text in texts:
        words = keywords.words_of(text)
        expected = _plain_phrase(words, vocab.table)
        assert keywords._phrase(words, vocab.table, vocab.phrase_prefixes) == expected, text
        found += expected is not None
    assert found > len(phrases)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.json"
    training.export(training.fit(corpus.read(corpus.DEV)), path)
    return Model.load(path)


def _by_definition(model, tokens):
    """Intent scores from TF-IDF's definition: every feature's tf, idf, l2 norm, weights."""
    counts = Counter(row for row in map(model.index.get, features(tokens)) if row is not None)
    tf = {row: (1 + math.log(n) if model.sublinear else n) for row, n in counts.items()}
    norm = math.sqrt(sum((tf[row] * model.idf[row]) ** 2 for row in tf)) or 1.0
    split = len(model.intents)
    return [
        sum(tf[row] * model.rows[row][column] for row in tf) / norm + model.bias[column]
        for column in range(split)
    ]


@pytest.mark.parametrize("sublinear", [True, False])
def test_the_scorer_gives_tf_idf_by_its_definition(model, sublinear):
    kept, model.sublinear = model.sublinear, sublinear
    try:
        for example in corpus.read(corpus.DEV)[::7]:
            tokens = engine.read_tokens(example.text, model.known)[1] * 3  # words repeat
            got = model.raw_scores(tokens, intents_only=True)[0]
            expected = _by_definition(model, tokens)
            assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(got, expected, strict=True))
    finally:
        model.sublinear = kept


def test_a_letters_clauses_scored_in_one_call_are_each_clauses_best_intent(model):
    letters = [e.text for e in corpus.read(corpus.DEV) if len(e.text) > engine.LONG_MESSAGE]
    assert letters
    for letter in letters:
        documents = [engine.read_tokens(clause, model.known)[1] for clause in clauses(letter)]
        assert model.best_intents(documents) == [
            model.intent_scores(tokens)[0] for tokens in documents
        ]


def test_each_word_set_keeps_its_own_readings_when_sets_alternate():
    """A schedule question reads its dates without the model's words, then the next message
    is read with them: neither set's cached readings are thrown away by the other."""
    from sms.nlu import normalise

    known, other = frozenset({"XIN", "HEN"}), frozenset()
    assert normalise.normalise(["XINHEN"], known) == ["XIN", "HEN"]
    assert normalise.normalise(["XINHEN"], other) == ["XINHEN"]
    assert normalise._WORDS[id(known)][1]["XINHEN"] == ("XIN", "HEN")
    assert normalise._WORDS[id(other)][1]["XINHEN"] == ("XINHEN",)
    assert normalise.normalise(["XINHEN"], known) == ["XIN", "HEN"]


def test_words_read_once_give_the_words_and_their_normalisation(model):
    """`read_tokens` reads each folded word once per word set: the same words as `words`,
    and the same normalised words as `normalise` of those, for any text and word set."""
    from sms.nlu.augment import augment
    from sms.nlu.normalise import normalise
    from sms.nlu.text import words

    dev = corpus.read(corpus.DEV)
    texts = [example.text for example in dev + augment(dev)]
    texts += ["DK HEN ap 3", "dk dk hen", "hen dk", "cb ghe nha e dc hok z", "book home visit"]
    texts += ["xin hen cho grandma, birth certificate nha", "khai sinhf", "ntn ntn", "", "  ?! "]
    for known in (model.known, frozenset(), frozenset({"XIN", "HEN"})):
        for text in texts:
            written = words(text, known)
            assert engine.read_tokens(text, known) == (written, normalise(written, known)), text
