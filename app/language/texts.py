"""Text toolkit: diacritics folding, GSM-7 detection and segment counts."""

import re
import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (one septet each) and its extension table (two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[]~|€\f")
# Any character outside both tables, found by the regex engine rather than a Python loop.
_NOT_GSM7 = re.compile(
    "[^" + "".join(re.escape(ch) for ch in sorted(GSM7_BASIC | GSM7_EXTENSION)) + "]"
)

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Punctuation look-alikes that phones and word processors insert; mapped to GSM-7.
LOOKALIKES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2022": "-",
    "\u00b7": "-",
}

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


class _Unmarked(dict):
    """Each character without its marks (nonspacing, category Mn), worked out once."""

    def __missing__(self, code):
        parts = unicodedata.normalize("NFD", chr(code))
        kept = "".join(ch for ch in parts if unicodedata.category(ch) != "Mn")
        self[code] = kept
        return kept


# Every SMS in and out passes through here, several times: one table lookup a character
# (str.translate) instead of decomposing and testing the whole text each time.
_UNMARKED = _Unmarked({ord("đ"): "d", ord("Đ"): "D"})


def strip_diacritics(text):
    """Remove Vietnamese tone marks and letter marks, keeping case (đ→d, Đ→D)."""
    text = text or ""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).translate(_UNMARKED))


def fold(text):
    """Fold text for matching: no diacritics, upper case, words split by single spaces."""
    return _NON_ALNUM.sub(" ", strip_diacritics(text).upper()).strip()


def compact(text):
    """Fold text and drop the spaces too ("Vn eid" → "VNEID")."""
    return fold(text).replace(" ", "")


def is_gsm7(text):
    """Tell whether every character fits the GSM-7 alphabet (basic or extension)."""
    return _NOT_GSM7.search(text) is None


@dataclass(frozen=True)
class Segments:
    """How an SMS body is encoded and how many parts it takes."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    count: int
    per_segment: int


def segments(text):
    """Count the SMS segments TEXT needs, with multipart headers taken into account."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = GSM7_SINGLE, GSM7_MULTI, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = UCS2_SINGLE, UCS2_MULTI, "UCS-2"
    if units <= single:
        return Segments(encoding, units, 1 if units else 0, single)
    return Segments(encoding, units, -(-units // multi), multi)


def sms_text(text):
    """Render any Vietnamese text as unaccented GSM-7 ("không dấu") for SMS."""
    text = strip_diacritics(text)
    for fancy, plain in LOOKALIKES.items():
        text = text.replace(fancy, plain)
    # Anything still outside GSM-7 (emoji, other scripts) would force UCS-2; drop it.
    text = _NOT_GSM7.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def fits_one_sms(text):
    """Tell whether TEXT is GSM-7 and fits a single 160-character segment."""
    info = segments(text)
    return info.encoding == "GSM-7" and info.count <= 1


def N_(template):
    """Mark an English message template for translation where it is shown (the staff UI)."""
    return template


def NC_(context, template):
    """Mark an English label for translation in CONTEXT, where one word has two meanings."""
    return (context, template)
