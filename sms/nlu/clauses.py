"""Long letters: split into sentences and clauses, and find the one that asks for something.

A 400-character letter carries family news, health, work far away and directions to the
house; the request is one clause of it. Each clause is read by the classifier alone, and
the clause the model is surest asks for something the line does is the one acted on; a
clause too short to stand alone ("cho tôi hỏi") is read with the one after it. The whole
letter still goes to a person (principle 10).
"""

import re

# Sentence ends, and commas or dashes that separate clauses.
_CUT = re.compile(r"(?:[.!?;:\n]+|,|\s-\s|…)\s*")
MIN_CLAUSE_LETTERS = 12
MAX_CLAUSES = 24


def clauses(text):
    """The clauses of TEXT in reading order, a short one joined to the one after it."""
    found = []
    pending = ""
    for piece in _CUT.split(text or ""):
        piece = piece.strip()
        if not piece:
            continue
        piece = f"{pending}, {piece}" if pending else piece
        if sum(map(str.isalpha, piece)) < MIN_CLAUSE_LETTERS:
            pending = piece
            continue
        pending = ""
        found.append(piece)
    if pending and found:
        found[-1] = f"{found[-1]}, {pending}"
    return found[:MAX_CLAUSES]


def asking_clauses(text, score):
    """Return (clause, intent, probability) of each clause asking for something, surest first.

    SCORE reads all the clauses at once (one call for the letter) and returns the likeliest
    (intent, probability) of each. A clause whose likeliest meaning is a question for staff
    asks nothing the line does. Equally sure clauses keep their reading order.
    """
    found = clauses(text)
    asking = [
        (clause, intent, probability)
        for clause, (intent, probability) in zip(found, score(found) if found else [], strict=True)
        if intent not in ("question", "menu_reply")
    ]
    return sorted(asking, key=lambda item: -item[2])


def best_clause(text, score):
    """Return (clause, intent, probability) of the clause most surely asking, or None."""
    asking = asking_clauses(text, score)
    return asking[0] if asking else None
