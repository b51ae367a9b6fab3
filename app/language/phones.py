"""Vietnamese phone numbers: any common written form to E.164, via phonenumbers."""

import functools
import re
from urllib.parse import unquote

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from app.language.texts import strip_diacritics

REGION = "VN"

# 2018 conversion of 11-digit mobile numbers: old prefix → new prefix, last 7 digits kept.
OLD_MOBILE_PREFIXES = {
    # Viettel
    "0162": "032",
    "0163": "033",
    "0164": "034",
    "0165": "035",
    "0166": "036",
    "0167": "037",
    "0168": "038",
    "0169": "039",
    # MobiFone
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    # VinaPhone
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    # Vietnamobile
    "0186": "056",
    "0188": "058",
    # Gmobile
    "0199": "059",
}
_OLD_MOBILE = re.compile(r"^(01(?:2[0-9]|6[2-9]|8[68]|99))(\d{7})$")
# A SIP or tel URI as it arrives in a SIP INVITE's From header (RFC 3261 §20.20, RFC 3966),
# with or without a display name and angle brackets: only the user part can be a number.
_SIP_URI = re.compile(r"(?:^|<|\s)(?:sips?|tel):([^@;>\s]+)", re.IGNORECASE)
# A sender written only with digits and the usual separators, and an E.164 shape.
_PLAIN_NUMBER = re.compile(r"\+?[\d\s().-]+")
_PLAUSIBLE_E164 = re.compile(r"\+[1-9]\d{8,14}")
MIN_SENDER_DIGITS, MAX_SENDER_DIGITS = 9, 15
# Visual separators RFC 3966 allows inside a telephone-subscriber.
_SEPARATORS = re.compile(r"[-.() ]")


class InvalidPhone(ValueError):
    """Raised when text is not a usable Vietnamese (or international) phone number."""


def _national_digits(raw):
    """Reduce a number to national digits with a leading 0, if it looks Vietnamese."""
    digits = re.sub(r"\D", "", raw)
    for prefix in ("0084", "84"):
        if digits.startswith(prefix) and len(digits) >= len(prefix) + 10:
            return "0" + digits[len(prefix) :]
    return digits if digits.startswith("0") else "0" + digits


def _convert_old_mobile(raw):
    """Rewrite an old 11-digit mobile number to its 10-digit form, else return None."""
    match = _OLD_MOBILE.match(_national_digits(raw))
    if not match:
        return None
    return OLD_MOBILE_PREFIXES[match.group(1)] + match.group(2)


def parse(raw):
    """Parse RAW into a valid phonenumbers object, or raise InvalidPhone."""
    text = strip_diacritics(str(raw or "")).strip()
    if not text or not re.search(r"\d", text) or re.search(r"[A-Za-z]", text):
        raise InvalidPhone(f"not a phone number: {raw!r}")
    if len(re.sub(r"\D", "", text)) > 15:
        raise InvalidPhone(f"too many digits: {raw!r}")
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        converted = _convert_old_mobile(text)
        if converted:
            number = phonenumbers.parse(converted, REGION)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid number: {raw!r}")
    return number


# A webhook meets the same number three or four times (sender, resident, queue); parsing
# it once saves about 0.1 ms each time. Failures are not cached: they raise.
@functools.lru_cache(maxsize=4096)
def normalise(raw):
    """Return RAW as E.164 ("+84912345678"), or raise InvalidPhone."""
    return phonenumbers.format_number(parse(raw), PhoneNumberFormat.E164)


def sender(raw):
    """Return an SMS sender as E.164 when it looks like a person's number, or raise InvalidPhone.

    phonenumbers knows only the ranges in force at its release, so a plausible number in a
    range opened since (+84 992…) is still a person who must get an answer: any numeric
    sender of 9 to 15 digits, national or international, counts. Short codes ("191") and
    alphanumeric sender IDs ("Viettel") do not; they cannot be answered.
    """
    try:
        return normalise(raw)
    except InvalidPhone:
        pass
    text = strip_diacritics(str(raw or "")).strip()
    if not _PLAIN_NUMBER.fullmatch(text):
        raise InvalidPhone(f"not a numeric sender: {raw!r}")
    digits = re.sub(r"\D", "", text)
    if not MIN_SENDER_DIGITS <= len(digits) <= MAX_SENDER_DIGITS:
        raise InvalidPhone(f"a short code or too long: {raw!r}")
    if text.startswith("+"):
        e164 = "+" + digits
    elif digits.startswith("00"):
        e164 = "+" + digits[2:]
    elif digits.startswith("84") and len(digits) >= 11:
        e164 = "+" + digits
    else:
        e164 = "+84" + digits.removeprefix("0")
    if not is_plausible(e164):
        raise InvalidPhone(f"not a phone number: {raw!r}")
    return e164


def is_plausible(e164):
    """Tell whether E164 has the shape of a phone number (+, then 9 to 15 digits)."""
    return bool(_PLAUSIBLE_E164.fullmatch(str(e164 or "")))


def from_caller_id(raw):
    """Return the caller's number as E.164, or None when it is withheld or not a number.

    Twilio posts a phone call's caller as "+84912345678", "anonymous" or "Restricted",
    and a call through a SIP Domain with the INVITE's From header, such as
    "sip:0912345678@10.0.0.5" or '"Ba Lan" <sip:+84912345678@gw.example>;tag=1'.
    The number of a SIP caller is the URI's user part, normalised like any other.
    """
    text = str(raw or "").strip()
    uri = _SIP_URI.search(text)
    if uri:
        text = _SEPARATORS.sub("", unquote(uri.group(1)))
        if not re.fullmatch(r"\+?\d+", text):
            return None  # a named SIP user ("anonymous", "alice") has no number
    try:
        return normalise(text)
    except InvalidPhone:
        return None


def is_mobile(e164):
    """Tell whether an E.164 number is a mobile that can receive SMS."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def display(e164):
    """Format an E.164 number the way Vietnamese write it ("0912 345 678")."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164 or ""
    if number.country_code == 84:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def find_in_text(text):
    """Find the first phone number written inside free text, as E.164, or None."""
    for match in phonenumbers.PhoneNumberMatcher(strip_diacritics(text or ""), REGION):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
    return None


@functools.lru_cache(maxsize=4096)
def is_valid(e164):
    """Tell whether an E.164 string is a valid number."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, REGION))
    except phonenumbers.NumberParseException:
        return False
