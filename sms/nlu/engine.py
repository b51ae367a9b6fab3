"""Understanding one message: keywords first, then the classifier, then a decision.

`understand` is a pure function of the text and a Catalogue (keyword table, hamlet and
procedure indexes, the loaded model): no database, no files, no clock, so it is cheap enough
for the webhook and can be measured on its own (`python -m bench.nlu`).

The decision follows DESIGN.md principle 10: act when sure; for a home visit or a
cancellation that is likely but not sure, ask with one key; otherwise hand the message to
a person and tell the resident the two likeliest keywords.
"""

from app.language.keywords import (
    CANCEL,
    DIGIT,
    GUIDE,
    HELP,
    LANG_EN,
    LANG_VI,
    OPT_IN,
    OPT_OUT,
    PROCEDURE,
    QUESTION,
    SCHEDULE,
    STATUS,
    VISIT,
)
from sms import keywords
from sms.nlu import entities
from sms.nlu.asking import (
    asks_for_the_list,
    asks_for_vietnamese,
    asks_how,
    asks_how_to_use,
)
from sms.nlu.clauses import asking_clauses
from sms.nlu.dates import date_words
from sms.nlu.guards import (
    COPY,
    a_plea,
    a_problem_with_a_paper,
    asked_after,
    calls_off,
    copy_of_a_record,
    guessed_procedure,
    model_disagrees,
    names_a_way_of_coming,
    not_ours,
)
from sms.nlu.model import NO_PROCEDURE
from sms.nlu.reading import (  # noqa: F401  (engine.training_catalogue and the rest stay here)
    ACT,
    CONFIRM,
    HANDOVER,
    Catalogue,
    Reading,
    build_catalogue,
    handover,
    model_features,
    model_intent,
    model_tokens,
    read_tokens,
    training_catalogue,
)
from sms.nlu.text import masked, span_of
from sms.nlu.thanks import is_thanks

# Probability of the best intent needed to act on free text, and to ask about a visit or a
# cancellation (`python -m sms.nlu.tuning --sweep`: cross-validated on the augmented dev
# split, 0.60 acts wrongly on 23 fewer of 4,517 lines than 0.50 and hands over 1.1% more;
# a handover costs an officer a minute, a wrong action costs the resident).
ACT_AT = 0.60
CONFIRM_AT = 0.30
# Opting out silences reminders and opting in resumes them: free text must be clearer
# still (cross-validated as ACT_AT: 0.70 acts wrongly on 8 opt-in or opt-out lines, not 12).
ACT_AT_BY_INTENT = {"opt_out": 0.70, "opt_in": 0.70, "language": 0.60}
CONFIRMABLE = {"visit", "cancel"}
PROCEDURE_AT = 0.45
# Guidance is sent only when a question for staff is unlikely; a visit or the team's dates
# too, at their own bounds (cross-validated as ACT_AT on the augmented dev split with the
# lines of 2026-12-07: 0.30 and 0.10 act wrongly on 8 fewer of 4,813 lines, 3 more handed over).
QUESTION_VETO = 0.30
QUESTION_VETO_BY_INTENT = {"visit": 0.30, "schedule": 0.10}
MIN_LETTERS = 3
LONG_MESSAGE = 160
# A clause of a long letter is acted on when the model is this sure it asks for something.
CLAUSE_ACT_AT = 0.80
CLAUSES_READ = 2

# Keyword table words that are also ordinary Vietnamese: they start sentences that mean
# something else ("tổ lưu động chừng nào xuống", "hướng dẫn sử dụng"), so when more words
# follow, the classifier may overrule them.
SOFT_KEYWORDS = {
    "DENNHA",
    "XINDENNHA",
    "GAP",
    "GAPCANBO",
    "TOLUUDONG",
    "DATLICH",
    "TROGIUP",
    "GIUP",
    "HUONGDAN",
    "THUTUC",
    "HOSO",
    "INFO",
    "KIEMTRA",
    "TINHTRANG",
}
# The README's short keywords (HEN, HUY, LICH, XEM, HOI...) are commands: the words after
# them are their argument ("HEN can sao y giay to" is a visit to certify papers), so the
# classifier never overrules them.
SHORT_KEYWORDS = frozenset()
KEYWORD_INTENTS = {
    VISIT: "visit",
    CANCEL: "cancel",
    HELP: "help",
    GUIDE: "guidance",
    SCHEDULE: "schedule",
    STATUS: "status",
    QUESTION: "question",
    OPT_OUT: "opt_out",
    OPT_IN: "opt_in",
    LANG_EN: "language:en",
    LANG_VI: "language:vi",
    DIGIT: "menu_reply",
}


def understand(text, catalogue):
    """Read one message: return a Reading with the intent, entities and decision.

    A long letter is also read clause by clause: the clause that asks is acted on as a
    short message would be, with the hamlet, procedure and urgency of the whole letter.
    """
    text = text or ""
    reading = _read_letter(text, catalogue)
    if reading.family == "schedule":
        reading.when = date_words(read_tokens(reading.clause or text)[1])
    return reading


def _read_letter(text, catalogue):
    """Read TEXT whole, and a long letter also clause by clause."""
    whole = _understand(text, catalogue)
    if len(text.strip()) <= LONG_MESSAGE or catalogue.model is None:
        return whole
    hamlet_words = whole.hamlet_words
    asking = asking_clauses(text, lambda found: _clause_intents(found, catalogue, hamlet_words))
    # Surest first; family news the model misreads ("uong thuoc roi cung do") is read and
    # found to ask nothing, and the next clause is read (a third changed nothing on the
    # dev split's cross-validation, and each costs a reading).
    for clause, _intent, probability in asking[:CLAUSES_READ]:
        if probability < CLAUSE_ACT_AT:
            break
        if whole.decision == ACT and whole.how == "model" and whole.confidence >= probability:
            break
        part = _understand(clause, catalogue)
        if part.decision != HANDOVER and part.family not in ("question", "help", "menu_reply"):
            return _from_clause(part, clause, whole)
    return whole


def _from_clause(part, clause, whole):
    """The reading of a letter acted on through its CLAUSE (PART), with the whole's entities."""
    part.clause = clause
    part.hamlet = part.hamlet or whole.hamlet
    part.procedure = part.procedure or whole.procedure
    if part.intent == "guidance" and part.procedure:
        part.intent = f"guidance:{part.procedure}"  # "thu tuc the nao" of a procedure named before
    part.urgency = whole.urgency
    part.language = whole.language
    part.needs_person = True
    part.asks_how = part.asks_how or whole.asks_how
    return part


def _clause_intents(clauses, catalogue, hamlet_words=()):
    """The classifier's likeliest intent for each clause of a letter, in one call.

    Only the intents are scored, and the hamlet is masked where the words that named it in
    the whole letter (HAMLET_WORDS) stand in the clause: a letter is read as ten clauses or
    more, and searching each for a hamlet again was the costly part.
    """
    model = catalogue.model
    documents = []
    for clause in clauses:
        tokens = read_tokens(clause, model.known)[1]
        documents.append(masked(tokens, span_of(tokens, hamlet_words)))
    return model.best_intents(documents)


def _understand(text, catalogue):
    """Read one message (or one clause of a letter) as a whole."""
    model = catalogue.model
    known = model.known if model else frozenset()
    raw, tokens = read_tokens(text, known)
    found_hamlet = catalogue.hamlets.find(tokens)
    reading = Reading(
        "question",
        hamlet=found_hamlet.value if found_hamlet else None,
        hamlet_words=tuple(tokens[found_hamlet.start : found_hamlet.end]) if found_hamlet else (),
        urgency=entities.urgency(tokens, text),
        reference=entities.reference(tokens),
        language="en" if keywords.looks_english(raw) else None,
    )
    reading.needs_person = len(text.strip()) > LONG_MESSAGE or reading.urgency is not None
    reading.asks_how = asks_how(text, tokens)
    parsed = keywords.parse(text, vocab=catalogue.vocabulary)
    reading.parsed = parsed
    if parsed.how == "empty":
        if text.strip():
            # Emoji or punctuation only: a person reads it, as with any unclear message.
            return handover(reading, [])
        reading.intent, reading.how = "empty", "empty"
        return reading
    if parsed.language:
        reading.language = parsed.language
    if parsed.how not in ("exact", "prefix") and not reading.urgency and is_thanks(tokens, text):
        # A thank-you asks for nothing: a short thanks back, no prompt, no staff item.
        reading.intent, reading.how = "question", "thanks"
        return reading
    scores = None
    if model is not None:
        span = (found_hamlet.start, found_hamlet.end) if found_hamlet else None
        scores = model.score(masked(tokens, span))
    reading.procedure = _procedure(tokens, catalogue, scores, parsed)
    if parsed.intent and parsed.how in ("exact", "prefix", "fuzzy"):
        if parsed.intent == HELP and parsed.words and a_plea(reading, tokens):
            return handover(reading, [])  # "help emergency", "giup voi": a person answers
        if _keyword_decides(parsed, scores):
            reading = asked_after(_from_keyword(reading, parsed), tokens)
            if reading.family == "guidance" and not_ours(reading, parsed, tokens):
                return handover(reading, scores.intents if scores else [])
            if not model_disagrees(reading, parsed, scores, found_hamlet):
                return reading
            # The sentence after the keyword means something else: read it as free text.
    if scores is None:
        # No model yet: anything that is not a keyword goes to a person.
        return handover(reading, [])
    reading = asked_after(_from_model(reading, scores, tokens, catalogue.procedures), tokens)
    if reading.decision == CONFIRM and reading.intent == "cancel" and _huy_as_a_name(parsed):
        return handover(reading, scores.intents)  # "Huy day, con cua ba Nam": a name
    if reading.decision == HANDOVER and parsed.intent == CANCEL and parsed.how != "phrase":
        # The resident did write HUY: ask before cancelling rather than guess either way,
        # unless HUY starts a sentence as a name.
        if dict(scores.intents).get("cancel", 0.0) >= CONFIRM_AT / 2 and not _huy_as_a_name(parsed):
            reading.intent, reading.decision = "cancel", CONFIRM
    return reading


def _keyword_decides(parsed, scores):
    """Tell whether an explicit keyword settles the message without the classifier."""
    if parsed.intent == DIGIT:
        return True
    trailing = parsed.words
    if parsed.intent == CANCEL and trailing and not _starts_with_ref(trailing):
        # "Huy" is also a given name, and "huy nhan tin" is an opt-out: words after HUY are
        # read as a sentence.
        return trailing in (["HEN"], ["YEU", "CAU"], ["LICH", "HEN"])
    if parsed.keyword == "HOI" and trailing[:1] in (["THAM"], ["TRUOC"]):
        return False  # "Hỏi thăm…" is a polite opening, "hồi trước" is "formerly"
    short = parsed.keyword in SHORT_KEYWORDS
    soft = short or parsed.keyword in SOFT_KEYWORDS or parsed.intent == PROCEDURE
    if not soft or not trailing or scores is None:
        return True
    # A natural word with a sentence after it: the classifier may overrule it when sure.
    keyword_intent = _keyword_intent(parsed).split(":", 1)[0]
    best, probability = scores.intents[0]
    if short and best == "question":
        return True
    if keyword_intent == "guidance" and dict(scores.intents).get("question", 0) >= QUESTION_VETO:
        return False  # "tro cap khuyet tat", "tien gia thang nay chua co": maybe not ours
    return best == keyword_intent or probability < ACT_AT


def _huy_as_a_name(parsed):
    """Tell whether HUY starts a sentence as a name ("Huy đây, con của bà Nam")."""
    trailing = parsed.words
    return (
        parsed.intent == CANCEL
        and parsed.how != "phrase"
        and len(trailing) > 2
        and not _starts_with_ref(trailing)
    )


def _starts_with_ref(trailing):
    return bool(trailing) and bool(entities.REF_WORD.match(trailing[0]))


def _keyword_intent(parsed):
    if parsed.intent == PROCEDURE:
        return f"guidance:{parsed.code}"
    return KEYWORD_INTENTS[parsed.intent]


def _from_keyword(reading, parsed):
    """The Reading of a message an explicit keyword settles."""
    reading.intent = _keyword_intent(parsed)
    reading.how = "keyword"
    if parsed.intent == DIGIT:
        reading.number = parsed.number
    if parsed.intent == PROCEDURE and reading.procedure != COPY:
        reading.procedure = parsed.code
    if parsed.intent == PROCEDURE and parsed.words:
        reading.intent = f"guidance:{reading.procedure}"
    if reading.intent == "guidance" and reading.procedure and parsed.words:
        reading.intent = f"guidance:{reading.procedure}"
    return reading


def _from_model(reading, scores, tokens, procedures):
    """The Reading of free text, from the classifier's probabilities."""
    reading.how = "model"
    best, probability = scores.intents[0]
    reading.confidence = probability
    if sum(len(token) for token in tokens) < MIN_LETTERS:
        best = "question"  # "TC", "KT", "A": too little to read anything into
    if best == "menu_reply":
        best = "question"  # a number means something only after a menu (the dialogue knows)
    if best == "guidance" and reading.procedure is None and not asks_for_the_list(tokens):
        # Guidance without a subject: "che do nguoi co cong lam o dau" is outside the
        # catalogue, so a person answers it rather than the menu.
        best = "question"
    if best == "question" and asks_how_to_use(tokens) and not a_plea(reading, tokens):
        best, probability = "help", 1.0  # "what do I type", "chi toi cach nhan tin"
    if best in ("help", "guidance") and a_plea(reading, tokens):
        best = "question"  # "giup voi!" is a plea, not a request for the keyword list
    if best == "visit" and (not names_a_way_of_coming(tokens) or calls_off(tokens)):
        best = "question"  # no way of coming, or one called off: a person reads it
    if best == "question":
        return handover(reading, scores.intents)
    needed = ACT_AT_BY_INTENT.get(best, ACT_AT)
    veto = QUESTION_VETO if best == "guidance" else QUESTION_VETO_BY_INTENT.get(best, 1.0)
    unsure = dict(scores.intents).get("question", 0) >= veto  # asked about, never acted on
    if best == "guidance" and unsure:
        return handover(reading, scores.intents)
    if best == "guidance" and (
        a_problem_with_a_paper(tokens)
        or (reading.procedure and guessed_procedure(tokens, reading.procedure, procedures))
    ):
        return handover(reading, scores.intents)
    if probability >= needed and not unsure:
        reading.intent = _detail(best, reading, tokens)
        return reading
    if best in CONFIRMABLE and probability >= CONFIRM_AT:
        reading.intent = best
        reading.decision = CONFIRM
        return reading
    return handover(reading, scores.intents)


def _detail(family, reading, tokens):
    """Turn an intent family into the full intent (the procedure, the language)."""
    if family == "guidance":
        return f"guidance:{reading.procedure}" if reading.procedure else "guidance"
    if family == "language":
        return "language:vi" if asks_for_vietnamese(tokens) else "language:en"
    return family


def _procedure(tokens, catalogue, scores, parsed):
    """The procedure a message is about: a word for it in the text, the classifier's pick."""
    if parsed.intent == PROCEDURE and parsed.how != "phrase":
        if copy_of_a_record(tokens, [parsed.code], catalogue.procedures.words):
            return COPY  # "khai sinh bi mat, xin ban sao o dau"
        return parsed.code
    found = catalogue.procedures.find_all(tokens)
    if scores is None:
        return found[0].value if found else None
    probabilities = scores.procedures
    candidates = []
    for item in found:
        if item.value not in candidates:
            candidates.append(item.value)
    best = max(probabilities, key=probabilities.get)
    if best != NO_PROCEDURE and probabilities[best] >= PROCEDURE_AT and best not in candidates:
        # "lam lai giay khai sinh bi mat" names KHAISINH but asks for a copy (TRICHLUC).
        candidates.append(best)
    if not candidates:
        return None
    if copy_of_a_record(tokens, candidates, catalogue.procedures.words):
        return COPY
    # Several procedures named ("ban sao giay khai sinh"): the classifier chooses.
    return max(candidates, key=lambda code: probabilities.get(code, 0.0))
