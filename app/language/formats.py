"""How officers write dates and times (dd/mm/yyyy, 24-hour), read into the stored forms."""

import datetime as dt
import re

HOURS = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH.]\s*(\d{2})?)?\s*$")
DAY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def hhmm(text):
    """Return a time written "7:30", "07.30", "7h30" or "19h" as "HH:MM"; else the text as is.

    What cannot be read is passed on unchanged, so the rule that checks it says why.
    """
    match = HOURS.match(text or "")
    if not match:
        return text
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return text
    return f"{hour:02d}:{minute:02d}"


def iso_day(text):
    """Return a date written "15/12/2026" (day first, as in Vietnam) as "2026-12-15".

    An ISO date passes through; what cannot be read is passed on unchanged.
    """
    match = DAY.match(text or "")
    if not match:
        return (text or "").strip()
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return text
