"""What a message's words ask: how a procedure goes, the list of procedures, a language."""

import re

# Words that ask how something is done ("gì", "sao", "nào", "đâu", "bao nhiêu").
QUESTION_WORDS = {"GI", "NAO", "DAU", "NHIEU", "HOW", "WHAT", "WHICH"}
# Words that ask for the list of procedures, and words that say nothing more.
LIST_WORDS = {
    *("THU", "TUC", "THUTUC", "DANH", "SACH", "DANHSACH", "DS", "HUONG", "DAN"),
    *("PROCEDURES", "PROCEDURE", "LIST"),
}
# "Giay to" (papers) asks for the list when it is plural: "cac loai giay to", "nhung giay to".
PLURALS = {"CAC", "NHUNG", "LOAI"}
FUNCTION_WORDS = {
    "CHO",
    "XIN",
    "EM",
    "O",
    "XEM",
    "CAC",
    "NHUNG",
    "GI",
    "NAO",
    "CO",
    "LA",
    "HANH",
    "CHINH",
    "GIAY",
    "TO",
    "LOAI",
    "XA",
    "LAM",
    "DUOC",
    "KHONG",
    "TOI",
    "TUI",
    "HOI",
    "MINH",
    "AP",
    "VE",
    "CUA",
    "DE",
    "NHE",
    "A",
    "DA",
    "OF",
    "THE",
    "WHAT",
    "CAN",
    "YOU",
    "HELP",
    "WITH",
    "PLEASE",
    "WHICH",
    "PAPERS",
    "SHOW",
    "ME",
    "ALL",
    "I",
    "DO",
}


def asks_how(text, tokens):
    """Tell whether a message also asks how a procedure goes ("can giay to gi", "lam sao")."""
    if "?" in text or any(token in QUESTION_WORDS for token in tokens):
        return True
    # "sao" asks how ("lam sao"), except in "sao y", the certified copy.
    return any(
        token == "SAO" and tokens[index + 1 : index + 2] != ["Y"]
        for index, token in enumerate(tokens)
    )


def asks_for_the_list(tokens):
    """Tell whether a subject-less guidance message only asks for the list of procedures."""
    papers = "GIAY" in tokens and "TO" in tokens and not PLURALS.isdisjoint(tokens)
    return (papers or any(token in LIST_WORDS for token in tokens)) and all(
        token in LIST_WORDS or token in FUNCTION_WORDS for token in tokens
    )


def asks_for_vietnamese(tokens):
    """Tell whether a language request asks for Vietnamese rather than English.

    A language with a word of asking beside it is the one asked for ("my vietnamese is
    bad, english please", "tieng anh duoc khong"); otherwise Vietnamese named and not
    refused, or English refused ("toi khong hieu tieng anh"), asks for Vietnamese.
    """
    asked = None
    for index, token in enumerate(tokens):
        vietnamese = _language(tokens, index)
        if vietnamese is None:
            continue
        # "tieng anh": the word before the language is the one before "tieng".
        first = (
            index - 1
            if token in ("ANH", "VIET") and index and tokens[index - 1] == "TIENG"
            else index
        )
        before = tokens[first - 1] if first else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if before in ASK_BEFORE or after in ASK_AFTER:
            asked = vietnamese
    if asked is not None:
        return asked
    said = set(tokens)
    if "VIETNAMESE" in said:
        return "NOT" not in said
    if any(token.startswith("VIET") for token in tokens):  # "viet", "viett", "vietnam"
        return True
    return "ANH" in said and "KHONG" in said


def _language(tokens, index):
    """True for a word naming Vietnamese, False for English, None for any other word."""
    token = tokens[index]
    if token.startswith(("VIET", "TIENGVIET")):  # "viett", "tiengviet" run together
        return True
    if token in ("ENGLISH", "ENG", "TIENGANH") or (
        token == "ANH" and tokens[index - 1 : index] == ["TIENG"]
    ):
        return False
    return None


# Words beside a language that ask for it: "in english", "bang tieng viet", "english please".
ASK_BEFORE = {"IN", "TO", "BANG", "SANG", "NHAN", "DOI", "LAI", "BACK", "USE", "XAI", "DUNG"}
ASK_AFTER = {"PLEASE", "NHE", "NHA", "NGHEN", "DI", "THOI", "GIUP", "DUOC", "ONLY", "NOW", "LUON"}


# A request already made, asked after: "asked days ago and nobody came", "has my visit been
# set yet", "my booking, where is it". Read on normalised words. The first kind says so on
# its own; the second ("chua thay ai": nobody yet) only beside a word that the asking is
# past ("da xin", "tuan truoc"), since "chua co ai cham soc" is a plea with a new request.
_ASKED_AFTER = re.compile(
    r"\b(?:SAO ROI|(?:TOI|DEN) DAU ROI|ANY NEWS?"
    r"|(?:DUOC|CO|XEP LICH|DUYET|XEP) CHUA(?: (?:A|AH|VAY|NHI|HA|NHE|NHA))?$"
    # "hen cua toi la ngay nao": one's own booking, asked after ("hen cua toi o phu loi"
    # books one, so only with a word that asks when or whether).
    r"|HEN CUA (?:TOI|TUI|MINH|EM|CON|ME|MA|BA|ONG)\b.*\b(?:NGAY NAO|KHI NAO|BAO GIO|CHUA)\b"
    r"|LICH HEN CUA (?:TOI|TUI|MINH|EM|CON|ME|MA|BA|ONG)\b"
    r"|CHO HOAI|CHO LAU (?:QUA|ROI|LAM))"
)
_NOBODY_YET = re.compile(
    r"\b(?:CHUA (?:THAY|NGHE|GAP) (?:AI|NGUOI|CAN BO|TIN)|CHUA AI|KHONG THAY AI"
    r"|CHUA (?:CO )?AI (?:GOI|DEN|TOI|XUONG|GHE|LIEN LAC|BAO|TRA LOI))\b"
)
_ASKED_BEFORE = re.compile(
    r"\b(?:DA (?:HEN|XIN|NHAN|GUI|DANG KY|YEU CAU|DAT|HOI)|DAT HEN ROI|HEN ROI|XIN ROI"
    r"|(?:NGAY|BUA|HOM|TUAN|THANG) (?:TRUOC|ROI)|ASKED|BOOKED|REQUESTED)\b"
)


# "tro giup toi voi, toi ko biet xai": a word of need that asks how to use the line.
_HOW_TO_USE = re.compile(
    r"\b(?:KHONG|CHUA|KHUM) (?:BIET|RANH) (?:XAI|DUNG|SU DUNG|NHAN TIN|LAM SAO|CACH|BAM|DIEN)"
    r"|\bCACH (?:XAI|DUNG|SU DUNG|NHAN TIN|SOAN TIN)\b"
    r"|\bHOW (?:TO|DO I|CAN I) (?:USE|TEXT)|\bDON T KNOW HOW\b"
    r"|\bHOW DOES (?:THIS|IT)(?: SERVICE| NUMBER| LINE)? WORK"
    r"|\bWHAT (?:CAN|DO|SHOULD) I (?:TEXT|TYPE|SEND|WRITE)\b"
)


def asks_how_to_use(tokens):
    """Tell whether a message asks how to use the service ("khong biet xai", "how to use")."""
    return bool(_HOW_TO_USE.search(" ".join(tokens)))


def asks_after_a_request(tokens):
    """Tell whether a message asks after a request already made rather than making one."""
    text = " ".join(tokens)
    if _ASKED_AFTER.search(text):
        return True
    return bool(_NOBODY_YET.search(text)) and bool(_ASKED_BEFORE.search(text))
