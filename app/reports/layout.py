"""The monthly report of one commune: its sections, labels, the month before, and plain words.

The same layout feeds the page, the XLSX and the CSV, so the three always show the same figures.
Labels carry Vietnamese (the default) and English; the files are written in Vietnamese.
"""

import dataclasses

from app.reports import figures, months

COUNT, DAYS, HOURS, PERCENT = "count", "days", "hours", "percent"
# Below this a count may point at one household: files marked for publication hide it.
SMALLEST_PUBLISHED = 5
SUPPRESSED = "<5"

# (key, kind, Vietnamese label, English label, the count a derived figure rests on)
SECTIONS = (
    (
        "contacts",
        "Liên hệ",
        "Contacts",
        (
            ("contacts.sms", COUNT, "Yêu cầu qua SMS", "Requests by SMS", None),
            ("contacts.voice", COUNT, "Yêu cầu qua điện thoại", "Requests by phone call", None),
            ("contacts.staff", COUNT, "Yêu cầu tại quầy", "Walk-in requests", None),
            ("contacts.api", COUNT, "Yêu cầu qua API", "Requests by API", None),
            ("contacts.total", COUNT, "Tổng số yêu cầu", "All requests", None),
            ("contacts.residents", COUNT, "Số người dân khác nhau", "Distinct residents", None),
        ),
    ),
    (
        "visits",
        "Thăm tại nhà",
        "Home visits",
        (
            ("visits.requested", COUNT, "Được yêu cầu", "Requested", None),
            ("visits.visited", COUNT, "Đã thăm", "Visited", None),
            ("visits.not_at_home", COUNT, "Không gặp ở nhà", "Not at home", None),
            ("visits.cancelled", COUNT, "Đã hủy", "Cancelled", None),
            ("visits.open", COUNT, "Còn đang chờ", "Still open", None),
        ),
    ),
    (
        "waiting",
        "Thời gian chờ",
        "Waiting time",
        (
            ("waiting.median_days", DAYS, "Trung vị (ngày)", "Median (days)", "visits.visited"),
            (
                "waiting.p90_days",
                DAYS,
                "Bách phân vị 90 (ngày)",
                "90th percentile (days)",
                "visits.visited",
            ),
            (
                "waiting.within_7_days",
                COUNT,
                "Được thăm trong 7 ngày",
                "Visited within 7 days",
                None,
            ),
            (
                "waiting.share_within_7_days",
                PERCENT,
                "Tỷ lệ trong 7 ngày (%)",
                "Share within 7 days (%)",
                "visits.requested",
            ),
        ),
    ),
    (
        "people",
        "Người được thăm",
        "People visited",
        (
            ("people.age_75_plus", COUNT, "Từ 75 tuổi trở lên", "Aged 75 or more", None),
            ("people.lives_alone", COUNT, "Sống một mình", "Living alone", None),
            ("people.limited_mobility", COUNT, "Đi lại khó khăn", "Hard to move", None),
        ),
    ),
    (
        "questions",
        "Tin nhắn cần cán bộ",
        "Messages needing a person",
        (
            ("questions.count", COUNT, "Số câu hỏi", "Questions", None),
            ("questions.answered", COUNT, "Đã được cán bộ trả lời", "Answered by staff", None),
            (
                "questions.median_hours_to_answer",
                HOURS,
                "Trung vị đến câu trả lời đầu (giờ)",
                "Median to the first answer (hours)",
                "questions.answered",
            ),
            (
                "questions.open_over_2_working_days",
                COUNT,
                "Chờ quá 2 ngày làm việc",
                "Open more than 2 working days",
                None,
            ),
        ),
    ),
    (
        "procedures",
        "Thủ tục",
        "Procedures",
        (
            (
                "procedures.guidance_answers",
                COUNT,
                "Hướng dẫn đã gửi",
                "Guidance answers sent",
                None,
            ),
        ),
    ),
    (
        "delivery",
        "Gửi tin và cuộc gọi",
        "Delivery",
        (
            ("delivery.sms_sent", COUNT, "SMS đã gửi", "SMS sent", None),
            ("delivery.sms_failed", COUNT, "SMS gửi lỗi", "SMS failed", None),
            ("delivery.calls", COUNT, "Cuộc gọi đến", "Calls received", None),
            ("delivery.voicemails", COUNT, "Tin nhắn thoại", "Voice messages", None),
        ),
    ),
)


@dataclasses.dataclass
class Row:
    """One line of a section: a figure this month and the month before."""

    key: str
    kind: str
    label_vi: str
    label_en: str
    value: object
    previous: object

    def label(self, language):
        """The label in LANGUAGE ('vi' unless 'en')."""
        return self.label_en if language == "en" else self.label_vi


@dataclasses.dataclass
class Section:
    """One section of the report: its rows and a paragraph of plain Vietnamese."""

    key: str
    title_vi: str
    title_en: str
    rows: list
    paragraph: str

    def title(self, language):
        """The title in LANGUAGE ('vi' unless 'en')."""
        return self.title_en if language == "en" else self.title_vi


@dataclasses.dataclass
class Report:
    """The monthly report of one commune."""

    commune: object
    month: str
    previous_month: str
    sections: list
    current: dict
    before: dict
    published: bool


def _shown(value, base, published):
    """VALUE as a file may show it: counts 1-4, and figures resting on them, hidden."""
    if value is None or not published:
        return value
    if base is not None and 0 < base < SMALLEST_PUBLISHED:
        return SUPPRESSED
    if isinstance(value, int) and 0 < value < SMALLEST_PUBLISHED:
        return SUPPRESSED
    return value


def _number(value, unit=""):
    if value is None:
        return "chưa có"
    text = str(value).replace(".", ",")
    return f"{text}{unit}"


def _paragraph(key, now, before):
    """One sentence or two of plain Vietnamese about the section KEY."""
    if key == "contacts":
        return (
            f"Trong tháng có {now['contacts.total']} yêu cầu từ {now['contacts.residents']} "
            f"người dân (tháng trước: {before['contacts.total']}): {now['contacts.sms']} qua "
            f"SMS, {now['contacts.voice']} qua điện thoại, {now['contacts.staff']} tại quầy "
            f"và {now['contacts.api']} qua API."
        )
    if key == "visits":
        return (
            f"Có {now['visits.requested']} yêu cầu thăm tại nhà; đã thăm "
            f"{now['visits.visited']}, {now['visits.not_at_home']} lần không gặp ở nhà, "
            f"{now['visits.cancelled']} đã hủy và {now['visits.open']} còn đang chờ."
        )
    if key == "waiting":
        if now["waiting.median_days"] is None:
            return "Chưa có lượt thăm nào trong tháng để tính thời gian chờ."
        return (
            f"Người dân chờ trung bình (trung vị) {_number(now['waiting.median_days'])} ngày "
            f"(tháng trước: {_number(before['waiting.median_days'])}); "
            f"{_number(now['waiting.share_within_7_days'], '%')} được thăm trong 7 ngày."
        )
    if key == "people":
        return (
            f"Trong số người được thăm có {now['people.age_75_plus']} người từ 75 tuổi, "
            f"{now['people.lives_alone']} người sống một mình và "
            f"{now['people.limited_mobility']} người đi lại khó khăn."
        )
    if key == "questions":
        return (
            f"Có {now['questions.count']} câu hỏi cần cán bộ trả lời; "
            + (
                f"câu trả lời đầu tiên đến sau {_number(now['questions.median_hours_to_answer'])}"
                " giờ (trung vị); "
                if now["questions.median_hours_to_answer"] is not None
                else ""
            )
            + f"{now['questions.open_over_2_working_days']} câu chờ quá 2 ngày làm việc."
        )
    if key == "procedures":
        top = now["procedures.top"]
        asked = ", ".join(f"{name} ({count})" for _code, name, count in top) or "không có"
        return (
            f"Thủ tục được hỏi nhiều nhất: {asked}. Hệ thống đã tự gửi "
            f"{now['procedures.guidance_answers']} tin hướng dẫn."
        )
    return (
        f"Đã gửi {now['delivery.sms_sent']} SMS, {now['delivery.sms_failed']} tin gửi lỗi; "
        f"nhận {now['delivery.calls']} cuộc gọi và {now['delivery.voicemails']} tin nhắn thoại."
    )


def monthly(db, commune, month, *, published=False):
    """The report of COMMUNE for MONTH ('YYYY-MM'), with the month before beside it."""
    year, number = months.parse(month)
    earlier = months.previous(year, number)
    now = figures.month_figures(db, commune, year, number)
    before = figures.month_figures(db, commune, *earlier)
    sections = []
    for key, title_vi, title_en, lines in SECTIONS:
        rows = [
            Row(
                name,
                kind,
                vi,
                en,
                _shown(now[name], now.get(base) if base else None, published),
                _shown(before[name], before.get(base) if base else None, published),
            )
            for name, kind, vi, en, base in lines
        ]
        if key == "procedures":
            rows = _procedure_rows(now, before, published) + rows
        sections.append(Section(key, title_vi, title_en, rows, _paragraph(key, now, before)))
    return Report(
        commune,
        months.label(year, number),
        months.label(*earlier),
        sections,
        now,
        before,
        published,
    )


def _procedure_rows(now, before, published):
    earlier = {code: count for code, _name, count in before["procedures.top"]}
    return [
        Row(
            f"procedures.asked.{code}",
            COUNT,
            f"Hỏi về: {name}",
            f"Asked about: {name}",
            _shown(count, None, published),
            _shown(earlier.get(code, 0), None, published),
        )
        for code, name, count in now["procedures.top"]
    ]
