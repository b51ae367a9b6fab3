"""The monthly report of one commune: its sections, labels, the month before, and plain words.

The same layout feeds the page, the XLSX and the CSV, so the three always show the same figures.
Labels are English message ids marked with N_: the console shows them through Flask-Babel
(Vietnamese by default), the files in Vietnamese from the same catalogue (translations/).
"""

import dataclasses
import functools
from pathlib import Path

from babel.support import Translations

from app.language.texts import N_
from app.reports import figures, months

CATALOGUES = Path(__file__).resolve().parents[2] / "translations"

COUNT, DAYS, HOURS, PERCENT = "count", "days", "hours", "percent"
# Below this a count may point at one household: files marked for publication hide it.
SMALLEST_PUBLISHED = 5
SUPPRESSED = "<5"

# (key, kind, label: English, translated where shown, the count a derived figure rests on)
SECTIONS = (
    (
        "contacts",
        N_("Contacts"),
        (
            ("contacts.sms", COUNT, N_("Requests by SMS"), None),
            ("contacts.voice", COUNT, N_("Requests by phone call"), None),
            ("contacts.staff", COUNT, N_("Walk-in requests"), None),
            ("contacts.api", COUNT, N_("Requests by API"), None),
            ("contacts.total", COUNT, N_("All requests"), None),
            ("contacts.residents", COUNT, N_("Distinct residents"), None),
        ),
    ),
    (
        "visits",
        N_("Home visits"),
        (
            ("visits.requested", COUNT, N_("Requested"), None),
            ("visits.visited", COUNT, N_("Visits done"), None),
            ("visits.not_at_home", COUNT, N_("Not at home"), None),
            ("visits.cancelled", COUNT, N_("Cancelled"), None),
            ("visits.open", COUNT, N_("Still open"), None),
        ),
    ),
    (
        "waiting",
        N_("Waiting time"),
        (
            ("waiting.median_days", DAYS, N_("Median (days)"), "visits.visited"),
            ("waiting.p90_days", DAYS, N_("90th percentile (days)"), "visits.visited"),
            ("waiting.within_7_days", COUNT, N_("Visited within 7 days"), None),
            (
                "waiting.share_within_7_days",
                PERCENT,
                N_("Share within 7 days (%%)"),
                "visits.requested",
            ),
        ),
    ),
    (
        "people",
        N_("People visited"),
        (
            ("people.age_75_plus", COUNT, N_("Aged 75 or more"), None),
            ("people.lives_alone", COUNT, N_("Living alone"), None),
            ("people.limited_mobility", COUNT, N_("Hard to move"), None),
        ),
    ),
    (
        "questions",
        N_("Messages needing a person"),
        (
            ("questions.count", COUNT, N_("Questions"), None),
            ("questions.answered", COUNT, N_("Answered by staff"), None),
            (
                "questions.median_hours_to_answer",
                HOURS,
                N_("Median to the first answer (hours)"),
                "questions.answered",
            ),
            (
                "questions.open_over_2_working_days",
                COUNT,
                N_("Open more than 2 working days"),
                None,
            ),
        ),
    ),
    (
        "procedures",
        N_("Procedures"),
        (("procedures.guidance_answers", COUNT, N_("Guidance answers sent"), None),),
    ),
    (
        "delivery",
        N_("Delivery"),
        (
            ("delivery.sms_sent", COUNT, N_("SMS sent"), None),
            ("delivery.sms_failed", COUNT, N_("SMS failed"), None),
            ("delivery.calls", COUNT, N_("Calls received"), None),
            ("delivery.voicemails", COUNT, N_("Voice messages"), None),
        ),
    ),
)


@functools.cache
def _vietnamese():
    return Translations.load(str(CATALOGUES), ["vi"])


def in_vietnamese(label, **args):
    """LABEL (an English message id) in Vietnamese, as the files are written.

    Always formatted, as Jinja's gettext formats it on the page ('%%' is a percent sign).
    """
    return _vietnamese().gettext(label) % args


@dataclasses.dataclass
class Row:
    """One line of a section: a figure this month and the month before."""

    key: str
    kind: str
    label: str
    value: object
    previous: object
    # Values of the label's placeholders (a procedure's name), not translated.
    args: dict = dataclasses.field(default_factory=dict)

    def label_vi(self):
        """The label in Vietnamese, as the files show it."""
        return in_vietnamese(self.label, **self.args)


@dataclasses.dataclass
class Section:
    """One section of the report: its rows and a paragraph of plain Vietnamese."""

    key: str
    title: str
    rows: list
    paragraph: str

    def title_vi(self):
        """The title in Vietnamese, as the files show it."""
        return in_vietnamese(self.title)


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
    for key, title, lines in SECTIONS:
        rows = [
            Row(
                name,
                kind,
                label,
                _shown(now[name], now.get(base) if base else None, published),
                _shown(before[name], before.get(base) if base else None, published),
            )
            for name, kind, label, base in lines
        ]
        if key == "procedures":
            rows = _procedure_rows(now, before, published) + rows
        sections.append(Section(key, title, rows, _paragraph(key, now, before)))
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
            N_("Asked about: %(name)s"),
            _shown(count, None, published),
            _shown(earlier.get(code, 0), None, published),
            {"name": name},
        )
        for code, name, count in now["procedures.top"]
    ]
