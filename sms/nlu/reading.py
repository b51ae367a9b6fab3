"""What understanding produces and reads: the Reading, the Catalogue, tokens, the handover.

The same `model_tokens` feeds training and scoring, so the two can never disagree.
"""

from dataclasses import dataclass, field

from app.language.texts import fold
from sms import keywords
from sms.nlu import entities
from sms.nlu.normalise import cache_for, english, one_word
from sms.nlu.text import LEADING_KEEP, features, masked, spelt

ACT, CONFIRM, HANDOVER = "act", "confirm", "handover"
# What the handover reply suggests for each likely intent.
SUGGESTED_KEYWORD = {
    "visit": "HEN",
    "schedule": "LICH",
    "guidance": "HD",
    "status": "XEM",
    "cancel": "HUY",
    "opt_out": "TUCHOI",
    "opt_in": "BATDAU",
    "help": "?",
    "language": "ENGLISH",
}


@dataclass
class Catalogue:
    """What understanding needs from the catalogue, built once per catalogue version."""

    vocabulary: keywords.Vocabulary
    hamlets: entities.HamletIndex
    procedures: entities.ProcedureIndex
    model: object = None  # sms.nlu.model.Model; None before one is trained


@dataclass
class Reading:
    """What a message was understood to mean, and what to do about it."""

    intent: str  # "visit", "guidance:KHAISINH", "language:en", "question", "empty", ...
    decision: str = ACT  # act | confirm | handover
    confidence: float = 1.0
    hamlet: str | None = None  # hamlet code named in the text
    procedure: str | None = None  # procedure code: the reason for a visit, the guidance asked
    urgency: str | None = None  # emergency | distress | None
    reference: str | None = None  # a request code quoted ("12345")
    number: int | None = None  # the number of a menu reply
    language: str | None = None  # the reply language the message reveals, if any
    needs_person: bool = False  # long, distressed or an emergency: a person must read it
    suggestions: list = field(default_factory=list)  # keywords for the handover reply
    asks_how: bool = False  # it also asks what to do or bring ("can giay to gi", "lam sao")
    how: str = ""  # keyword | model | empty
    parsed: keywords.Parsed | None = None
    clause: str | None = None  # in a long letter, the clause that was acted on
    when: object = None  # sms.nlu.dates.When: the date a schedule question names
    likely: list = field(default_factory=list)  # a handover's 3 likeliest (intent, probability)
    hamlet_words: tuple = ()  # the words that named the hamlet, as read

    @property
    def family(self):
        """The intent without its detail: "guidance:KHAISINH" → "guidance"."""
        return self.intent.split(":", 1)[0]

    @property
    def acted_intent(self):
        """The intent the service acts on (a handover is a question for staff)."""
        return "question" if self.decision == HANDOVER else self.intent


def build_catalogue(procedures, hamlets, model=None, hamlet_index=None):
    """Build a Catalogue from procedure rows and hamlet rows (dicts with code and name).

    HAMLET_INDEX, when given, is the app's finder with the hamlets' aliases too.
    """
    from app.language.texts import fold

    return Catalogue(
        vocabulary=keywords.Vocabulary(procedures),
        hamlets=hamlet_index
        or entities.HamletIndex([(row["code"], fold(row["name"])) for row in hamlets]),
        procedures=entities.ProcedureIndex(
            [(row["code"], row.get("synonyms") or []) for row in procedures]
        ),
        model=model,
    )


def training_catalogue(hamlets=None):
    """The catalogue the shipped corpus was labelled against: the seed hamlets and procedures."""
    from app.catalogue.hamlets import code_for
    from app.seed.loader import HAMLETS
    from app.seed.procedures import PROCEDURES

    rows = hamlets or [{"code": code_for(name), "name": name} for name, _old, _src in HAMLETS]
    return build_catalogue(PROCEDURES, rows)


# Each folded word's reading, per word set: (its words as written, as normalised before
# the English step). A letter's clauses are read again and words repeat; the caches are
# found by the set's identity, as sms.nlu.normalise finds its own.
_READ = {}  # id(known) -> (known, {folded word: (written, normalised)})
_READ_SETS = 4
_READ_LIMIT = 4096


def read_tokens(text, known=frozenset()):
    """The folded words of TEXT as written, and as normalised for the classifier.

    They are `text.words` and `normalise.normalise` of those (tests/test_nlu_shortcuts.py),
    each folded word read once per word set.
    """
    known = known if isinstance(known, frozenset) else frozenset(known)
    cache = cache_for(_READ, known, _READ_SETS)
    raw, cleaned = [], []
    for position, word in enumerate(fold(text).split()):
        leading = position == 0 and word in LEADING_KEEP  # "DK HEN": kept as written
        found = None if leading else cache.get(word)
        if found is None:
            written = [word] if leading else spelt(word, known)
            found = (written, [part for token in written for part in one_word(token, known)])
            if not leading and len(cache) < _READ_LIMIT:
                cache[word] = found
        raw.extend(found[0])
        cleaned.extend(found[1])
    return raw, english(cleaned)


def model_tokens(text, known, catalogue):
    """The words the classifier reads: normalised, with the hamlet and codes masked."""
    tokens = read_tokens(text, known)[1]
    found = catalogue.hamlets.find(tokens)
    return masked(tokens, (found.start, found.end) if found else None)


def model_features(tokens):
    """The classifier's features of model tokens (the vectoriser's analyser)."""
    return features(tokens)


def model_intent(label):
    """The classifier's class for a corpus label: the intent family."""
    return label.split(":", 1)[0]


def handover(reading, ranked):
    """Hand the message to a person, suggesting the two likeliest keywords."""
    reading.intent = "question"
    reading.decision = HANDOVER
    reading.likely = [(intent, probability) for intent, probability in ranked[:3]]
    suggestions = []
    for intent, _probability in ranked:
        keyword = SUGGESTED_KEYWORD.get(intent)
        if keyword and keyword not in suggestions:
            suggestions.append(keyword)
        if len(suggestions) == 2:
            break
    reading.suggestions = suggestions or ["HEN", "HD"]
    return reading
