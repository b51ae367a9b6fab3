"""Message catalogue: every resident-facing SMS text, accented source first, by language.

The accented Vietnamese is the source of truth; SMS bodies are derived from it by
`texts.sms_text`, so the same words can be spoken by a vi-VN voice without change.
"""

from flask import current_app, has_app_context

from app.texts import sms_text

DEFAULT_COMMUNE_NAME = "Xa Phu Lam"
LANGUAGES = ("vi", "en")

# Channels and domain modules add their own keys here; every key has "vi" and "en".
MESSAGES = {
    "visit_confirmed": {
        "vi": "Đã nhận yêu cầu đến nhà, mã {ref}. Tổ lưu động đến ấp {hamlet} {day}.",
        "en": "Home visit request received, ref {ref}. The team visits {hamlet} on {day}.",
    },
    "visit_queued": {
        "vi": "Đã nhận yêu cầu đến nhà, mã {ref}. Cán bộ sẽ báo ngày đến sớm.",
        "en": "Home visit request received, ref {ref}. Staff will tell you the date soon.",
    },
    "visited_thanks": {
        "vi": "Cảm ơn ông bà đã tiếp tổ lưu động (mã {ref}). Cần giúp thêm, nhắn HEN.",
        "en": "Thank you for meeting the mobile team (ref {ref}). Text HEN for more help.",
    },
    "visit_unreachable": {
        "vi": "Tổ lưu động đã đến nhưng không gặp được ông bà (mã {ref}). Nhắn HEN để hẹn lại.",
        "en": "The team came but could not find you (ref {ref}). Text HEN to book again.",
    },
    "request_cancelled": {
        "vi": "Yêu cầu mã {ref} đã được hủy. Cần giúp, nhắn HEN hoặc gọi xã.",
        "en": "Request {ref} has been cancelled. For help, text HEN or call the commune.",
    },
    "visit_rescheduled": {
        "vi": "Lịch đến nhà mã {ref} đã đổi: tổ lưu động đến ấp {hamlet} {day}, từ {time}.",
        "en": "Home visit {ref} has moved: the team visits {hamlet} on {day} from {time}.",
    },
    "visit_postponed": {
        "vi": "Chuyến đi ấp của yêu cầu mã {ref} bị hủy. Cán bộ sẽ báo ngày mới sớm.",
        "en": "The trip for request {ref} was cancelled. Staff will tell you the new date soon.",
    },
    "visit_reminder": {
        "vi": "Nhắc lịch: tổ lưu động đến ấp {hamlet} {day}, từ {time} (mã {ref}). "
        "Xin ông bà ở nhà, để sẵn giấy tờ.",
        "en": "Reminder: the team visits {hamlet} on {day} from {time} (ref {ref}). "
        "Please be at home with your papers.",
    },
    "no_otp": {
        "vi": "Cán bộ xã không bao giờ hỏi mã OTP.",
        "en": "Staff never ask for an OTP.",
    },
    "open311_question_received": {
        "vi": "Đã nhận câu hỏi, mã {ref}. Cán bộ xã sẽ gọi lại hoặc nhắn tin trả lời.",
        "en": "Question received, ref {ref}. Commune staff will call or text you back.",
    },
}


def commune_name():
    """Return the name that starts every SMS (COMMUNE_NAME)."""
    if has_app_context():
        return current_app.config.get("COMMUNE_NAME", DEFAULT_COMMUNE_NAME)
    return DEFAULT_COMMUNE_NAME


def text(key, language="vi", **values):
    """Return the accented text for KEY in LANGUAGE, filled with VALUES."""
    entry = MESSAGES[key]
    template = entry.get(language) or entry["vi"]
    return template.format(**values)


def sms(key, language="vi", **values):
    """Return the SMS body for KEY: commune name first, unaccented GSM-7."""
    return sms_body(text(key, language, **values))


def sms_body(accented):
    """Prefix any accented text with the commune name and render it for SMS."""
    return sms_text(f"{commune_name()}: {accented}")
