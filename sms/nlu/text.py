"""Text as the understanding step reads it: folded words, chat shorthand spelled out, features.

Residents type without accents, in Southern shorthand ("ko", "dc", "j") and with telex
leftovers ("khai sinhf"), so every message is folded and normalised before anything reads it.
The same `features` function feeds training and scoring, so the two can never disagree.
"""

from app.language.texts import fold

# Chat shorthand → the folded words it stands for. "HONG" (Southern "không") is left alone
# because it is also the "hồng" of "sổ hồng".
SHORTHAND = {
    "KO": "KHONG",
    "K": "KHONG",
    "KG": "KHONG",
    "KHG": "KHONG",
    "KHOG": "KHONG",
    "HOK": "KHONG",
    "HOG": "KHONG",
    "HK": "KHONG",
    "DC": "DUOC",
    "DK": "DUOC",
    "DUOK": "DUOC",
    "J": "GI",
    "NTN": "NHU THE NAO",
    "BN": "BAO NHIEU",
    "VS": "VOI",
    "H": "GIO",
    "BH": "BAO GIO",
    "R": "ROI",
    "CB": "CAN BO",
    "TN": "TIN NHAN",
    "SDT": "SO DIEN THOAI",
    "DT": "DIEN THOAI",
    "UBND": "UY BAN",
    "NG": "NGUOI",
    "CX": "CUNG",
    "KTRA": "KIEM TRA",
    "TKS": "CAM ON",
    "THANKS": "THANK",
}
# A leading DK is the carrier habit "đăng ký" ("DK HEN"); elsewhere it is "được".
LEADING_KEEP = {"DK"}
# Vietnamese syllables never end in these letters; on a word they are telex tone keys
# typed on a phone without Vietnamese input ("sinhf" = "sinh" + huyền).
TELEX_TAILS = set("FJRSXZW")
# Reference codes: the digit codes (and the older five-letter ones) residents quote.
REF_TOKEN = "MAREF"
HAMLET_TOKEN = "TENAP"
NUMBER_TOKEN = "CONSO"


def words(text, known=frozenset()):
    """Return the folded, normalised words of TEXT.

    KNOWN is the set of words the model has seen: a word outside it that ends in a telex
    key is read without that key when the shorter word is known.
    """
    result = []
    for position, word in enumerate(fold(text).split()):
        if position == 0 and word in LEADING_KEEP:
            result.append(word)
            continue
        result.extend(spelt(word, known))
    return result


def spelt(word, known=frozenset()):
    """The words one folded WORD stands for past the first (`words`): shorthand spelt out."""
    expanded = SHORTHAND.get(word)
    if expanded:
        return expanded.split()
    if (
        known
        and len(word) > 2
        and word[-1] in TELEX_TAILS
        and word not in known
        and word[:-1] in known
    ):
        return [word[:-1]]
    return [word]


def masked(tokens, hamlet_span=None):
    """Replace a hamlet name, reference codes and numbers by placeholder words.

    The model then learns "HEN <hamlet>", not the names of today's hamlets, and a code or
    a menu number counts by its shape, not its digits.
    """
    out = []
    start, end = hamlet_span or (-1, -1)
    for index, token in enumerate(tokens):
        if start <= index < end:
            if index == start:
                out.append(HAMLET_TOKEN)
            continue
        if token.isdigit():
            out.append(REF_TOKEN if len(token) == 5 else NUMBER_TOKEN)
        else:
            out.append(token)
    return out


def features(tokens):
    """The model's features for normalised TOKENS: word 1-2 grams and char 2-4 grams.

    Character n-grams are taken inside each word padded with spaces (like scikit-learn's
    "char_wb"), so typos and missing spaces still share most features with the clean text.
    """
    found = sequence_features(tokens)
    for token in tokens:
        found.extend(token_features(token))
    return found


def sequence_features(tokens):
    """The features that span words: word bigrams, and the message with its spaces removed."""
    found = []
    previous = "^"
    for token in tokens:
        found.append("b " + previous + " " + token)
        previous = token
    if tokens:
        found.append("b " + previous + " $")
    joined = "".join(tokens)
    if 5 <= len(joined) <= 24:
        # The message with its spaces removed: "tamtru" and "tam tru" meet here.
        found.append("j " + joined)
    return found


_TOKEN_CACHE = {}
_TOKEN_CACHE_LIMIT = 20000


def token_features(token):
    """The word and character n-gram features of one word (cached: words repeat a lot)."""
    cached = _TOKEN_CACHE.get(token)
    if cached is not None:
        return cached
    result = ["w " + token]
    padded = " " + token + " "
    size = len(padded)
    for n in (2, 3, 4):
        if size < n:
            break
        result.extend("c " + padded[offset : offset + n] for offset in range(size - n + 1))
    result = tuple(result)
    if len(_TOKEN_CACHE) < _TOKEN_CACHE_LIMIT:
        _TOKEN_CACHE[token] = result
    return result


def span_of(tokens, words):
    """The (start, end) of WORDS in TOKENS, or None."""
    size = len(words)
    if not size:
        return None
    for start in range(len(tokens) - size + 1):
        if tokens[start] == words[0] and tuple(tokens[start : start + size]) == words:
            return start, start + size
    return None
