"""What staff may send residents: never a request for a code, a link, or a stranger's number.

Residents are told that the commune never asks for an OTP. A text staff save for residents
(a procedure's texts, an answer) must keep that promise even when an account is misused, so
SMS never becomes a phishing channel. `check_resident_text` is the one rule; every path that
saves such a text calls it.
"""

import re
import unicodedata

import phonenumbers

from app.catalogue import commune_settings
from app.language import phones
from app.language.texts import N_, sms_text, strip_diacritics

# Secrets, on the lower-cased unaccented text. "pin" alone is a battery in Vietnamese.
SECRET = re.compile(
    r"\b(?:o\W?t\W?p|0tp|mat[\s._-]*khau|mat[\s._-]*ma|pass[\s._-]*(?:word|code)|ma\s+pin|pin\s+(?:code|number)"
    r"|ma\s+(?:xac\s+(?:nhan|thuc|minh)|bao\s+(?:ve|mat)|kich\s+hoat|dang\s+nhap|bi\s+mat)"
    r"|ma\s+(?:gom\s+)?\d\s+(?:chu\s+)?so|\d[\s-]*digit\s+code"
    r"|(?:verification|security|confirmation|login|one\W?time|secret|access|activation)"
    r"\s+(?:code|number|pin))\b"
)
GIVE = r"(?:doc|gui|cung\s+cap|nhan\s+tin|tra\s+loi|noi|read|send|give|tell|share|reply|forward)"
# "Read us the code": any code, unless it is a reference written out ("đọc mã 12345").
GIVE_CODE = re.compile(rf"\b{GIVE}\b(?:\s+\w+){{0,3}}?\s+(?:ma|code)\b(?!\s*(?:so\s+)?\d)")
GIVES = re.compile(rf"\b{GIVE}\b")
# "Tự đặt mật khẩu": setting or keeping one's own password, when nothing is handed over.
OWN_SECRET = re.compile(
    r"\b(?:tu\s+)?(?:dat|tao|doi|nho|giu|set|choose|change|keep|remember)\s+(?:lai\s+)?"
    r"(?:(?:a|your|your own|mot)\s+)?$"
)
# A warning ("never give your OTP") is welcome; the negation must come before the secret.
# Unaccented, only "khong" is sure: "dung" is also "dùng" (use), "cam" also "cám ơn" (thanks).
NEGATION = re.compile(r"\b(?:không|khong|đừng|chớ|chẳng|cấm|chưa|never|not|don'?t|nobody|no one)\b")
# "..., but read the OTP" starts a new thought that the earlier negation does not cover.
SENTENCE_END = re.compile(r"[.!?;:\n]+")
NEW_THOUGHT = re.compile(r",\s*|\b(?:nhung|chi can|tuy nhien|but|however|just|only)\b")
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info|biz"
    r"|xyz|top|io|co|me|ly|gl|to|gd|is|su|ws|link|site|online|app|club|shop|store|gov|edu|tk|ml"
    r"|ga|cf|gq|cc|ru|cn|us|asia|click|live|pro|vip|icu|cyou|sbs|win|bid|loan|work|today|page"
    r"|dev|in)\b)"
)
# A dot written out in brackets so that no link check sees it: "evil[.]com", "evil (dot) com",
# "evil{chấm}com". A bare " dot " is left alone: unaccented, "đợt" (a round) is "dot" too.
SPELLED_DOT = re.compile(r"\s*[\[({<]\s*(?:\.|dot|cham|diem)\s*[\])}>]\s*")
# Money asked for by transfer, or an account to send it to: the commune's fees are paid at
# the office, so no text for residents names an account ("Chuyển khoản vào STK 0123...").
TRANSFER = re.compile(
    r"\b(?:chuyen[\W_]*khoan|chuyen[\W_]*tien|nap[\W_]*tien|stk|so[\W_]*tk|so[\W_]*tai[\W_]*khoan"
    r"|tai[\W_]*khoan[\W_]*(?:ngan[\W_]*hang|so)|momo|zalo[\W_]*pay|vi[\W_]*dien[\W_]*tu"
    r"|bank[\W_]*(?:transfer|account)|account[\W_]*(?:number|no)|iban|wire[\W_]*(?:money|transfer)"
    r"|(?:transfer|send|pay)[\W_]*(?:money|funds|the[\W_]*fee|to[\W_]*(?:the[\W_]*)?account))\b"
)
# Thousands written with dots (10.000.000 đồng) are money and 2026-11-29 a date, not phones.
NOT_A_PHONE = re.compile(
    r"^(?:[1-9]\d{0,2}(?:\.\d{3})+|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4})$"
)


class UnsafeText(ValueError):
    """Raised when a text for residents breaks the rule; TEMPLATE and PARAMS say why."""

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def _find_secret(plain):
    """The first request for a code or password in one folded clause, or None."""
    return SECRET.search(plain) or GIVE_CODE.search(plain)


def _asks_for_a_secret(text, find=_find_secret):
    """Tell whether TEXT mentions what FIND finds other than to warn against it.

    FIND finds a code or password by default; a bank transfer is found the same way, so
    "the commune never asks you to transfer money" stays a welcome warning.
    """
    lowered = unicodedata.normalize("NFC", text.lower())
    for sentence in SENTENCE_END.split(lowered):
        folded = strip_diacritics(sentence)
        # Both forms are cut at the same places: the folded one finds the secrets, the
        # accented one tells "đừng" (don't) from "dùng" (use).
        accented = sentence if len(sentence) == len(folded) else folded
        cuts = [0, *(match.start() for match in NEW_THOUGHT.finditer(folded)), len(folded)]
        warned = False
        for start, end in zip(cuts, cuts[1:], strict=False):
            plain = folded[start:end]
            secret = find(plain)
            if not secret:
                warned = False
                continue
            before = accented[start : start + secret.start()]
            # "Không đưa mã OTP, mật khẩu cho ai": a list after a warning stays a warning.
            continues_list = warned and not before.strip(" ,")
            own = OWN_SECRET.search(plain[: secret.start()]) and not GIVES.search(plain)
            if not (NEGATION.search(before) or continues_list or own):
                return True
            warned = True
    return False


def _foreign_numbers(text, office):
    """Phone numbers in TEXT other than the office number OFFICE (E.164 or None)."""
    found = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, phones.REGION, leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        if NOT_A_PHONE.match(match.raw_string.strip()):
            continue
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number != office:
            found.append(match.raw_string.strip())
    return found


def office_number(db):
    """The commune office's number in E.164, or None while it is not set."""
    raw = commune_settings.office_phone(db)
    try:
        return phones.normalise(raw) if raw else None
    except phones.InvalidPhone:
        return None


def forms_residents_get(text):
    """TEXT as typed, as a voice reads it and as the SMS carries it, each once.

    SMS drops what is not GSM-7 and a voice reads fullwidth letters as plain ones, so a
    zero-width space or a soft hyphen ("evil\u200b.com", "mat\u00adkhau") or a fullwidth
    "ｅｖｉｌ．ｃｏｍ" would hide a link or a secret from a check of the typed text alone.
    """
    text = text or ""
    return list(dict.fromkeys((text, unicodedata.normalize("NFKC", text), sms_text(text))))


def check_resident_text(db, text):
    """Raise UnsafeText if TEXT, meant for residents, asks for a secret, links or gives a number."""
    for form in forms_residents_get(text):
        _check_form(db, form)


def _check_form(db, text):
    """Raise UnsafeText if this one rendering of a text breaks the rule."""
    if _asks_for_a_secret(text):
        raise UnsafeText(
            N_(
                "it asks for a code, an OTP or a password. The commune never asks residents "
                "for one; a warning such as \u201cnever give your OTP to anyone\u201d is fine"
            )
        )
    if _asks_for_a_secret(text, TRANSFER.search):
        raise UnsafeText(
            N_(
                "it asks for a bank transfer or names an account. Fees are paid at the commune "
                "office; a warning such as \u201cnever transfer money to anyone\u201d is fine"
            )
        )
    folded = strip_diacritics(text).lower()
    if LINK.search(folded) or LINK.search(SPELLED_DOT.sub(".", folded)):
        raise UnsafeText(N_("it contains a link. Texts for residents never carry links"))
    office = office_number(db)
    numbers = _foreign_numbers(text, office)
    if numbers:
        if office:
            raise UnsafeText(
                N_(
                    "it contains the phone number %(number)s. The only number residents are "
                    "given is the commune office's, %(office)s"
                ),
                number=numbers[0],
                office=phones.display(office),
            )
        raise UnsafeText(
            N_(
                "it contains the phone number %(number)s. The only number residents are given "
                "is the commune office's, which is not set yet (Settings)"
            ),
            number=numbers[0],
        )
