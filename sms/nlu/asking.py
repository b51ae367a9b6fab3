"""What a message's words ask: how a procedure goes, the list of procedures, a language."""

# Words that ask how something is done ("gì", "sao", "nào", "đâu", "bao nhiêu").
QUESTION_WORDS = {"GI", "NAO", "DAU", "NHIEU", "HOW", "WHAT", "WHICH"}
# Words that ask for the list of procedures, and words that say nothing more.
LIST_WORDS = {"THU", "TUC", "DANH", "SACH", "HUONG", "DAN", "PROCEDURES", "PROCEDURE", "LIST"}
FUNCTION_WORDS = {
    "CHO",
    "XIN",
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
    return any(token in LIST_WORDS for token in tokens) and all(
        token in LIST_WORDS or token in FUNCTION_WORDS for token in tokens
    )


def asks_for_vietnamese(tokens):
    """Tell whether a language request asks for Vietnamese rather than English."""
    said = set(tokens)
    if "VIETNAMESE" in said:
        return "NOT" not in said
    if "VIET" in said:
        return True
    # "toi khong hieu tieng anh": no English, please
    return "ANH" in said and "KHONG" in said
