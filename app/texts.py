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


def strip_diacritics(text):
    """Remove Vietnamese tone marks and letter marks, keeping case (đ→d, Đ→D)."""
    text = unicodedata.normalize("NFC", text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


def fold(text):
    """Fold text for matching: no diacritics, upper case, words split by single spaces."""
    return _NON_ALNUM.sub(" ", strip_diacritics(text).upper()).strip()


def compact(text):
    """Fold text and drop the spaces too ("Vn eid" → "VNEID")."""
    return fold(text).replace(" ", "")


def is_gsm7(text):
    """Tell whether every character fits the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


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
    text = "".join(ch for ch in text if ch in GSM7_BASIC or ch in GSM7_EXTENSION)
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
