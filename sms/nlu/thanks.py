"""Thanks and acknowledgements: "cảm ơn cán bộ", "dạ được", "ok chú" ask for nothing.

They get a short thank-you (or nothing), never a prompt: "cảm ơn cán bộ hôm trước đã đến
nhà" is not a new request for a visit. A message that also asks for something (a request
word, a question word, a "no") is not a thank-you and is read as usual.
"""

# Words that thank or acknowledge (folded, after sms.nlu.normalise).
ACK = {"CAM", "ON", "DA", "VANG", "OK", "OKE", "DUOC", "ROI", "BIET", "NHAN", "YES", "PLEASE"}
# Words of address and courtesy that may stand beside them.
COURTESY = {
    "A",
    "CAN",
    "BO",
    "CO",
    "CHU",
    "ANH",
    "CHI",
    "EM",
    "CON",
    "CHAU",
    "TOI",
    "TUI",
    "XA",
    "TO",
    "LUU",
    "DONG",
    "NHIEU",
    "LAM",
    "QUA",
    "NHA",
    "NGHEN",
    "NHE",
    "SO",
    "MUCH",
    "YOU",
    "U",
    "VAY",
    "TOT",
    "TIN",
    "RAT",
    "DI",
}
# Words that ask for something: with one of them the message is not only thanks.
ASKS = {
    "XIN",
    "HOI",
    "MUON",
    "GIUP",
    "DUM",
    "GIUM",
    "HUY",
    "LICH",
    "BAO",
    "KHI",
    "NAO",
    "CHUNG",
    "KHONG",
    "CHUA",
    "GI",
    "SAO",
    "DAU",
    "CAN",
    "HELP",
    "WHEN",
    "HOW",
    "STOP",
    "CANCEL",
    # "thôi khỏi", "dừng", "ngưng": a no-thanks is a cancellation or an opt-out.
    "KHOI",
    "DUNG",
    "NGUNG",
}


def is_thanks(tokens, text=""):
    """Tell whether folded TOKENS only thank or acknowledge."""
    if not tokens or "?" in text:
        return False
    said = set(tokens)
    if _drops(tokens):
        return False  # "bo nhan tin": "bỏ" (drop), not the "bộ" of "cán bộ"
    thanked = ("CAM" in said and "ON" in said) or "THANK" in said
    if thanked:
        # "cảm ơn cán bộ hôm trước đã đến nhà": thanks for what was done; "cán bộ" is no ask.
        asks = said & ASKS - {"CAN"}
        return not asks and len(tokens) <= 16
    return bool(said & ACK) and said <= ACK | COURTESY and len(tokens) <= 6


def _drops(tokens):
    """Tell whether BO stands alone as "bỏ" (drop), not after CAN as "cán bộ"."""
    return any(
        token == "BO" and (index == 0 or tokens[index - 1] != "CAN")
        for index, token in enumerate(tokens)
    )
