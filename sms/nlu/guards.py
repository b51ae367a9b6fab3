"""Second looks before acting: where a keyword, the classifier or a word list alone misleads.

Each rule here turns a likely wrong action into a handover or a closer reading. A handover
costs an officer a minute; a wrong action costs the resident (DESIGN.md principle 10).
"""

import re

from app.language.keywords import DIGIT, QUESTION
from sms.nlu.asking import asks_after_a_request, asks_for_the_list, asks_how_to_use
from sms.nlu.reading import ACT

# A keyword followed by a sentence is read as free text when the classifier gives the
# keyword's intent less than this probability: "tu hom dang ky toi nay chua ai lien lac"
# starts with a keyword but asks after a booking. Bare keywords, one-word arguments
# ("HUY 12345") and a hamlet's name are never overruled.
# (`python -m sms.nlu.tuning`: on the augmented dev split, 0.20 acts wrongly on 21 fewer of
# 4,517 lines and hands over 42 more.)
KEYWORD_AGREE_AT = 0.20
# Free text read as a visit names a way of coming or a house ("den", "ghe", "nha", "hen"):
# "tui o long hau nghen" only says where the resident lives.
VISIT_WORDS = frozenset(
    {"HEN", "DEN", "GHE", "XUONG", "GAP", "VE", "DAT", "LICH", "DANG", "VO", "QUA", "NHA"}
)
# A birth or marriage record lost, re-issued or copied is the copy-of-record procedure:
# "giay ket hon bi mat", "cap lai giay khai sinh", "lost my birth certificate".
RECORDS = frozenset({"KHAISINH", "KETHON"})
COPY = "TRICHLUC"
_COPY_WORDS = re.compile(
    r"\b(?:BAN SAO|CAP LAI|LAM LAI|XIN LAI|TRICH LUC|(?:BI|LAM) MAT|MAT (?:ROI|GIAY|MY|CAI))\b"
)


_DOUBLED = re.compile(r"(.)\1+")


def names_a_way_of_coming(tokens):
    """Tell whether TOKENS name a visit's way of coming or a house ("henn" is HEN too)."""
    return any(
        token in VISIT_WORDS or _DOUBLED.sub(r"\1", token) in VISIT_WORDS for token in tokens
    )


# A visit read from a message that also calls one off ("xoa hen", "bo lich hen", "ko can
# ghe nha nua", "do not come") may be a cancellation: cancelling or booking wrongly both
# cost the resident, so a person reads it. "Khong den duoc" (cannot come) is not one.
_CALLS_OFF = re.compile(
    r"\b(?:XOA|HUY|BO (?:LICH|HEN)|THOI KHOI|(?:KHONG CAN|DUNG|KHOI) (?:DEN|GHE|TOI|XUONG|QUA)"
    r"|DO NOT|DONT|DON T|NO NEED)\b"
)


def calls_off(tokens):
    """Tell whether a message read as a visit also drops or refuses one."""
    return bool(_CALLS_OFF.search(" ".join(tokens)))


# A paper with a mistake on it, or an account locked or forgotten, is a case for a person,
# not the procedure's steps: "giay khai sinh bi sai ten", "quen mat khau vneid".
_A_PROBLEM = re.compile(
    r"\b(?:BI SAI|SAI (?:TEN|HO|NGAY|NAM|THONG TIN|CHU)|GHI SAI|QUEN MAT KHAU|BI KHOA)\b"
)


def a_problem_with_a_paper(tokens):
    """Tell whether a message reports a mistake on a paper or a locked account."""
    return bool(_A_PROBLEM.search(" ".join(tokens)))


def guessed_procedure(tokens, code, index):
    """Tell whether procedure CODE is only the classifier's guess: no word names it.

    "lua ban cung duoc gia" scores as the old-age allowance on "gia"; a copy of a record is
    named by the record and the words asking for a copy.
    """
    if index.names(tokens, code):
        return False
    named = [record for record in RECORDS if index.names(tokens, record)]
    return not (code == COPY and copy_of_a_record(tokens, named, index.words))


def a_plea(reading, tokens):
    """Tell whether a word of need is a plea, not "help, I don't know how to use it"."""
    if reading.urgency == "distress" and asks_how_to_use(tokens):
        return False
    return reading.urgency is not None


def model_disagrees(reading, parsed, scores, hamlet=None):
    """Tell whether a keyword with a sentence after it means something else to the model.

    The hamlet named (HAMLET, a Found) is the keyword's argument, not a sentence.
    """
    if scores is None or reading.decision != ACT or parsed.intent in (DIGIT, QUESTION):
        return False
    sentence = len(parsed.words) - (hamlet.end - hamlet.start if hamlet else 0)
    if sentence < 2 or reading.family == "question":
        return False
    return dict(scores.intents).get(reading.family, 0.0) < KEYWORD_AGREE_AT


def copy_of_a_record(tokens, candidates, known_codes):
    """Tell whether a message about a birth or marriage record asks for a copy of it."""
    if COPY not in known_codes or RECORDS.isdisjoint(candidates):
        return False
    return bool(_COPY_WORDS.search(" ".join(tokens)))


def not_ours(reading, parsed, tokens):
    """Tell whether a guidance keyword starts a question the catalogue does not answer.

    "giay khai sinh bi sai ten" reports a mistake; "thu tuc chuyen truong cho con" names
    no procedure of ours and does not ask for the list.
    """
    if a_problem_with_a_paper(tokens):
        return True
    return len(parsed.words) >= 2 and not reading.procedure and not asks_for_the_list(tokens)


def asked_after(reading, tokens):
    """Read a visit message that asks after a visit already asked for as a status question.

    "Hẹn của tôi được chưa", "đã xin tuần trước mà chưa thấy ai", "lịch hẹn của tôi":
    booking again would double the request; the status answer shows the one there is.
    """
    if reading.family == "schedule" and "HEN" not in tokens:
        return reading  # "to luu dong xep lich chua" asks after the team's dates
    if reading.family in ("visit", "schedule") and asks_after_a_request(tokens):
        reading.intent, reading.decision = "status", ACT
    return reading
