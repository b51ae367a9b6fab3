"""Normalisation before the classifier: teencode, English words, repeated letters, run-ons.

Younger relatives write "cb ghe nha e dc hok z", grandchildren abroad write "book 1 home
visit cho grandma", and phones without Vietnamese input give "hẹnnn" and "xinhen". Each is
rewritten to the folded Vietnamese words the classifier and the entity finders know, so
"visit" and "đến nhà" share their features. Language detection reads the words before this
step, so an English message is still answered in English.
"""

import re

# Teencode and chat abbreviations of younger writers → the folded words they stand for.
# (The older shorthand of sms.nlu.text.SHORTHAND is applied first; these are on top.)
TEENCODE = {
    "E": "EM",
    "MUN": "MUON",
    "MUNG": "MUON",  # "mún" with a stray tone key ("múng") is never "mừng" before a verb
    "MIK": "MINH",
    "MK": "MINH",
    "Z": "VAY",
    "ZAY": "VAY",
    "ZAYS": "VAY",
    "DZ": "VAY",
    "DZAY": "VAY",
    "V": "VAY",
    "DZOI": "VOI",
    "ZOI": "VOI",
    "AK": "A",
    "AH": "A",
    "NHAZ": "NHA",
    "BJO": "BAO GIO",
    "BJ": "BAO GIO",
    "BGIO": "BAO GIO",
    "BIK": "BIET",
    "BIT": "BIET",
    "LM": "LAM",
    "YC": "YEU CAU",
    "LD": "LUU DONG",
    "QA": "QUA",
    "WA": "QUA",
    "KHUM": "KHONG",
    "KS": "KHAI SINH",
    "VK": "VO",
    "CK": "CHONG",
    "OKIE": "OK",
    "OKI": "OK",
    "OKELA": "OK",
    "OKAY": "OK",
    "THX": "CAM ON",
    "CAMON": "CAM ON",
    "DUOCJ": "DUOC",
    "NX": "NUA",
    "NUAA": "NUA",
    "TRC": "TRUOC",
    "MN": "MOI NGUOI",
    # The citizen ID card; its tripled C must not be read as a repeated letter.
    "CCCD": "CAN CUOC",
}
# English words residents' grandchildren mix in → the folded Vietnamese of the same meaning.
# Phrases are read first (longest first), then single words.
ENGLISH_PHRASES = {
    ("HOME", "VISIT"): "DEN NHA",
    ("COME", "BY"): "GHE NHA",
    ("COME", "TO"): "DEN",
    ("BIRTH", "CERTIFICATE"): "GIAY KHAI SINH",
    ("DEATH", "CERTIFICATE"): "GIAY KHAI TU",
    ("MARRIAGE", "CERTIFICATE"): "GIAY KET HON",
    ("CERTIFIED", "COPY"): "SAO Y",
    ("NOTARISED", "COPY"): "SAO Y",
    ("NOTARIZED", "COPY"): "SAO Y",
    ("CERTIFY", "A", "COPY"): "SAO Y",
    ("TEMPORARY", "RESIDENCE"): "TAM TRU",
    ("PERMANENT", "RESIDENCE"): "THUONG TRU",
    ("REGISTER", "A", "DEATH"): "KHAI TU",
    ("ID", "CARD"): "CAN CUOC",
    ("HEALTH", "INSURANCE"): "BAO HIEM Y TE",
    ("MOBILE", "TEAM"): "TO LUU DONG",
    ("NO", "ONE"): "CHUA AI",
    ("NOBODY",): "CHUA AI",
    ("ANY", "UPDATE"): "TINH TRANG",
    ("THANK", "YOU"): "CAM ON",
    ("THANK", "U"): "CAM ON",
    ("SET", "UP"): "KICH HOAT",
    ("OLD", "PEOPLE"): "NGUOI GIA",
    ("OLD", "AGE"): "NGUOI GIA",
    ("SOCIAL", "PENSION"): "TRO CAP XA HOI",
}
ENGLISH_WORDS = {
    "VISIT": "DEN NHA",
    "VISITS": "DEN NHA",
    "BOOK": "HEN",
    "BOOKED": "DA HEN",
    "BOOKING": "HEN",
    "APPOINTMENT": "HEN",
    "ARRANGE": "HEN",
    "SCHEDULE": "LICH",
    "CANCEL": "HUY",
    "UPDATE": "TINH TRANG",
    "STATUS": "TINH TRANG",
    "CHECK": "KIEM TRA",
    "REQUEST": "YEU CAU",
    "GRANDMA": "BA NOI",
    "GRANDMOTHER": "BA NOI",
    "GRANDPA": "ONG NOI",
    "GRANDFATHER": "ONG NOI",
    "GRANDPARENTS": "ONG BA",
    "PENSION": "TRO CAP",
    "BABY": "EM BE",
    "OFFICER": "CAN BO",
    "STAFF": "CAN BO",
    "TEAM": "TO",
    "SETUP": "KICH HOAT",
    "ACTIVATE": "KICH HOAT",
    "RENEW": "LAM LAI",
    "DOCUMENTS": "GIAY TO",
    "PAPERS": "GIAY TO",
    "THANKS": "CAM ON",
    "THANK": "CAM ON",
    "PLS": "PLEASE",
    "PLZ": "PLEASE",
    "WHEN": "KHI NAO",
    "HOUSE": "NHA",
    "HOME": "NHA",
    "CODE": "MA",
    "LOST": "MAT",
    "COPY": "BAN SAO",
    "FUNERAL": "MAI TANG",
    "ALLOWANCE": "TRO CAP",
    "INHERIT": "THUA KE",
    "INHERITANCE": "THUA KE",
    "LAND": "DAT",
}
_REPEATS = re.compile(r"([A-Z])\1{2,}")


def collapse_repeats(word, known=frozenset()):
    """Collapse "HENNN" to "HEN", and "GIUPP" to "GIUP" when GIUP is a known word."""
    word = _REPEATS.sub(r"\1", word)
    if len(word) > 2 and word[-1] == word[-2] and word not in known and word[:-1] in known:
        # No Vietnamese word ends in a doubled letter; English ones ("staff") are kept.
        word = word[:-1]
    return word


def split_run_on(word, known):
    """Split an unknown word that is two known words run together ("XINHEN": XIN, HEN)."""
    if not known or len(word) < 5 or word in known or not word.isalpha():
        return [word]
    best = None
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        if left in known and right in known:
            score = min(len(left), len(right))
            if best is None or score > best[0]:
                best = (score, left, right)
    return [best[1], best[2]] if best else [word]


def _ph(word, known):
    """Read "FU" as "PHU" when that is known: Vietnamese has no F, teencode writes PH so."""
    if word.startswith("F") and len(word) > 1 and ("PH" + word[1:]) in known:
        return "PH" + word[1:]
    return word


def normalise(tokens, known=frozenset()):
    """Rewrite folded TOKENS: repeated letters, F for PH, run-ons, teencode, English words."""
    known = known if isinstance(known, frozenset) else frozenset(known)
    cleaned = []
    for token in tokens:
        cleaned.extend(_word(token, known))
    return english(cleaned)


def one_word(token, known):
    """The words one written word stands for before `english` (cached for the KNOWN set)."""
    return _word(token, known)


def english(cleaned):
    """Replace the English words and phrases in CLEANED words (`normalise`'s last step)."""
    if _ENGLISH_STARTS.isdisjoint(cleaned):
        return cleaned  # no English word to replace (most messages): skip the scan
    return _english(cleaned)


# Each written word's reading, per word set (a letter repeats its words). The caches are
# found by the set's identity: comparing two equal sets would go element by element on
# every look-up. A schedule question's dates are read without the model's words, so two
# sets alternate and each keeps its own cache; a few at most are kept.
_WORDS = {}  # id(known) -> (known, {written word: its reading})
_WORDS_SETS = 4
_WORDS_LIMIT = 4096


def cache_for(caches, known, sets):
    """The dict CACHES keeps for the word set KNOWN; at most SETS sets are kept."""
    entry = caches.get(id(known))
    if entry is None or entry[0] is not known:
        if len(caches) >= sets:
            caches.clear()
        entry = caches[id(known)] = (known, {})
    return entry[1]


def _word(token, known):
    """The words one written word stands for, cached for the KNOWN set."""
    cache = cache_for(_WORDS, known, _WORDS_SETS)
    found = cache.get(token)
    if found is None:
        found = _read_word(token, known)
        if len(cache) < _WORDS_LIMIT:
            cache[token] = found
    return found


def _read_word(token, known):
    """The words one written word stands for: repeats, F for PH, teencode, run-ons."""
    if token not in ENGLISH_WORDS and token not in TEENCODE:
        token = collapse_repeats(token, known)
    token = _ph(token, known)
    expanded = TEENCODE.get(token)
    if expanded:
        return tuple(expanded.split())
    if token in ENGLISH_WORDS or token in known:
        return (token,)
    return tuple(split_run_on(token, known))


_PHRASES_BY_FIRST = {}
for _phrase, _meaning in sorted(ENGLISH_PHRASES.items(), key=lambda item: -len(item[0])):
    _PHRASES_BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _meaning.split()))
# Every word `_english` may replace, alone or starting a phrase.
_ENGLISH_STARTS = frozenset(ENGLISH_WORDS) | frozenset(_PHRASES_BY_FIRST)


def _english(tokens):
    """Replace English phrases and words by their Vietnamese meaning."""
    out = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        for phrase, meaning in _PHRASES_BY_FIRST.get(token, ()):
            if tuple(tokens[index : index + len(phrase)]) == phrase:
                out.extend(meaning)
                index += len(phrase)
                break
        else:
            meaning = ENGLISH_WORDS.get(token)
            out.extend(meaning.split() if meaning else [token])
            index += 1
    return out
