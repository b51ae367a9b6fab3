"""Days and times in words: one family, rendered for SMS, voice, the console and the API.

Every channel that tells someone when the team comes words it here, so an SMS ("Thu 3
02/12"), a call ("thứ Ba, ngày 2 tháng 12"), the console ("thứ Ba 02/12") and the Open311
API ("Tuesday 02/12") always name the same day of the same trip.
"""

from app.infra import clock

WEEKDAYS_VI = [
    "thứ Hai",
    "thứ Ba",
    "thứ Tư",
    "thứ Năm",
    "thứ Sáu",
    "thứ Bảy",
    "Chủ nhật",
]
WEEKDAYS_EN = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]
# In unaccented SMS "Ba" could be bà or ba, so weekdays are written as numbers: "Thu 3".
WEEKDAYS_SMS_VI = ["Thu 2", "Thu 3", "Thu 4", "Thu 5", "Thu 6", "Thu 7", "CN"]
WEEKDAYS_SMS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def sms_day(day, language="vi"):
    """Short SMS form of a date: "Thu 3 02/12" (Vietnamese) or "Tue 02/12"."""
    names = WEEKDAYS_SMS_EN if language == "en" else WEEKDAYS_SMS_VI
    return f"{names[day.weekday()]} {day:%d/%m}"


def spoken_day(day, language="vi"):
    """Spoken form of a date: "thứ Ba, ngày 2 tháng 12" or "Tuesday, 2 December"."""
    if language == "en":
        return f"{WEEKDAYS_EN[day.weekday()]}, {day.day} {day:%B}"
    return f"{WEEKDAYS_VI[day.weekday()]}, ngày {day.day} tháng {day.month}"


def sms_time(moment):
    """Short SMS form of a local time: "7h30", "14h"."""
    return f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"


def staff_day(day, language="vi"):
    """Console form of a date: "thứ Ba 02/12" or "Tuesday 02/12"."""
    names = WEEKDAYS_EN if language == "en" else WEEKDAYS_VI
    return f"{names[day.weekday()]} {day:%d/%m}"


def api_day(day):
    """Open311 form of a date, in English as the API speaks: "Tuesday 02/12"."""
    return staff_day(day, "en")


# When a trip starts (its stored starts_at), in each rendering ----------------------------


def sms_day_of(starts_at, language="vi"):
    """The day of a trip starting at STARTS_AT, for an SMS: "Thu 3 02/12"."""
    return sms_day(clock.to_local(starts_at).date(), language)


def sms_words_of(starts_at, language="vi"):
    """The day and start time of a trip, for an SMS: {"day": "Thu 3 02/12", "time": "7h30"}."""
    start = clock.to_local(starts_at)
    return {"day": sms_day(start.date(), language), "time": sms_time(start)}


def spoken_day_of(starts_at, language="vi"):
    """The day of a trip as the voice says it: "thứ Ba, ngày 2 tháng 12"."""
    return spoken_day(clock.to_local(starts_at).date(), language)


def api_day_of(starts_at):
    """The day of a trip as the Open311 API says it: "Tuesday 02/12"."""
    return api_day(clock.to_local(starts_at).date())
