"""Dates in a schedule question: "thứ 5 này", "ngày 15", "tuần sau", "mai", "next Thursday".

`date_words` finds what a message names, as a clock-free value (understanding has no
clock); `resolve` turns it into the days it covers, given today's local date.
"""

import datetime as dt
from dataclasses import dataclass

# Vietnamese weekday words after THU ("thứ"): thứ 2 is Monday ... thứ 7 is Saturday.
WEEKDAY_AFTER_THU = {
    "2": 0,
    "HAI": 0,
    "3": 1,
    "BA": 1,
    "4": 2,
    "TU": 2,
    "5": 3,
    "NAM": 3,
    "6": 4,
    "SAU": 4,
    "7": 5,
    "BAY": 5,
}
ENGLISH_WEEKDAYS = {
    "MONDAY": 0,
    "TUESDAY": 1,
    "WEDNESDAY": 2,
    "THURSDAY": 3,
    "FRIDAY": 4,
    "SATURDAY": 5,
    "SUNDAY": 6,
}
# Words that put a weekday or a week in the next week.
NEXT = {("TUAN", "SAU"), ("TUAN", "TOI"), ("NEXT",)}
ORDINAL_SUFFIXES = ("ST", "ND", "RD", "TH")


@dataclass(frozen=True)
class When:
    """A date named in a message, relative to the day it is read."""

    kind: str  # "weekday" | "day" | "week" | "offset"
    value: int = 0  # weekday 0-6, day of month, or days from today
    month: int | None = None  # for "day": a month named with it
    next_week: bool = False  # "tuần sau", "next"


def date_words(tokens):
    """Return the When that folded TOKENS name, or None."""
    said = list(tokens)
    pairs = set(zip(said, said[1:], strict=False))
    nxt = bool(NEXT & pairs) or "NEXT" in said
    for index, token in enumerate(said):
        after = said[index + 1 : index + 4]
        if token == "THU" and after and after[0] in WEEKDAY_AFTER_THU:
            if after[0] in ("BA", "SAU", "NAM", "TU") and not _dated_context(said, index):
                continue  # "thứ ba" is Tuesday, but "ba" is also father and three
            return When("weekday", WEEKDAY_AFTER_THU[after[0]], next_week=nxt)
        if len(token) == 2 and token[0] == "T" and token[1] in "234567":
            return When("weekday", int(token[1]) - 2, next_week=nxt)
        if token == "CHU" and after[:1] == ["NHAT"] or token == "CN":
            return When("weekday", 6, next_week=nxt)
        if token in ENGLISH_WEEKDAYS:
            return When("weekday", ENGLISH_WEEKDAYS[token], next_week=nxt)
        day = _day_number(token, said[index - 1] if index else "")
        if not day and token.isdigit() and after[:1] and after[0].isdigit():
            # "15/12" folds to "15 12": a day and a month
            if 1 <= int(token) <= 31 and 1 <= int(after[0]) <= 12:
                day = int(token)
        if day:
            month = _month_after(after)
            return When("day", day, month=month)
    if ("HOM", "NAY") in pairs or "TODAY" in said:
        return When("offset", 0)
    if ("NGAY", "MOT") in pairs or said[:1] == ["MOT"]:
        return When("offset", 2)
    if ("NGAY", "MAI") in pairs or "TOMORROW" in said or said[:1] == ["MAI"]:
        return When("offset", 1)
    if nxt and ("TUAN" in said or "WEEK" in said):
        return When("week", next_week=True)
    if ("TUAN", "NAY") in pairs or ("THIS", "WEEK") in pairs or ("CUOI", "TUAN") in pairs:
        return When("week")
    return None


def _dated_context(said, index):
    """Tell whether "thứ ba/sáu/năm/tư" at INDEX is a weekday: "này", "tuần", a question."""
    near = set(said[index + 2 : index + 5]) | set(said[max(0, index - 2) : index])
    return bool(near & {"NAY", "TUAN", "TOI", "SAU", "CO", "TO", "CAN", "LICH", "NAO"})


def _day_number(token, before):
    """The day of the month in "ngày 15", "15/12" (folded "15 12"), "the 20th"."""
    if token.isdigit() and before in ("NGAY", "THE", "ON") and 1 <= int(token) <= 31:
        return int(token)
    for suffix in ORDINAL_SUFFIXES:
        stem = token[: -len(suffix)]
        if token.endswith(suffix) and stem.isdigit() and 1 <= int(stem) <= 31:
            return int(stem)
    return None


def _month_after(after):
    """The month in "15 12", "22 thang 12", "8 thang sau" (13 = next month), or None."""
    if after[:1] and after[0].isdigit() and 1 <= int(after[0]) <= 12:
        return int(after[0])
    if after[:1] == ["THANG"] and len(after) > 1:
        if after[1].isdigit() and 1 <= int(after[1]) <= 12:
            return int(after[1])
        if after[1] in ("SAU", "TOI"):
            return 13
    return None


def resolve(when, today):
    """Return (first, last) local dates WHEN covers, read on TODAY."""
    if when.kind == "offset":
        day = today + dt.timedelta(days=when.value)
        return day, day
    monday = today - dt.timedelta(days=today.weekday())
    if when.kind == "week":
        if when.next_week:
            monday += dt.timedelta(weeks=1)
            return monday, monday + dt.timedelta(days=6)
        return today, monday + dt.timedelta(days=6)
    if when.kind == "weekday":
        day = monday + dt.timedelta(days=when.value)
        if when.next_week:
            day += dt.timedelta(weeks=1)
        elif day < today:
            day += dt.timedelta(weeks=1)
        return day, day
    return _day_of_month(when, today)


def _day_of_month(when, today):
    year, month = today.year, today.month
    if when.month == 13:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif when.month:
        month = when.month
        if month < today.month:
            year += 1
    elif when.value < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for day in range(when.value, 27, -1):
        try:
            found = dt.date(year, month, day)
        except ValueError:
            continue
        return found, found
    found = dt.date(year, month, when.value)
    return found, found
