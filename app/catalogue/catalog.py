"""Message catalogue: every resident-facing SMS text, accented source first, by language.

The accented Vietnamese is the source of truth; SMS bodies are derived from it by
`texts.sms_text`, so the same words can be spoken by a vi-VN voice without change.
"""

from app import communes
from app.language.texts import sms_text

# The first commune's accented name, for pages shown before any commune is chosen.
DEFAULT_ACCENTED_COMMUNE_NAME = "Xã Phú Lâm"
LANGUAGES = ("vi", "en")

# Channels and domain modules add their own keys here; every key has "vi" and "en".
MESSAGES = {
    # With the time of day, as the reminder, LICH and the voice menu say it.
    "visit_confirmed": {
        "vi": "Đã nhận yêu cầu đến nhà, mã {ref}. Tổ lưu động đến ấp {hamlet} vào {day}, "
        "từ {time}.",
        "en": "Home visit request received, ref {ref}. The team visits {hamlet} on {day} "
        "from {time}.",
    },
    "visit_queued": {
        "vi": "Đã nhận yêu cầu đến nhà, mã {ref}. Cán bộ sẽ báo ngày đến sớm.",
        "en": "Home visit request received, ref {ref}. Staff will tell you the date soon.",
    },
    "visited_thanks": {
        "vi": "Cảm ơn ông bà đã tiếp tổ lưu động (mã {ref}). Cần giúp thêm, soạn HEN gửi số này.",
        "en": "Thank you for meeting the mobile team (ref {ref}). Text VISIT for more help.",
    },
    "visit_unreachable": {
        "vi": "Tổ lưu động đã đến nhưng không gặp được ông bà (mã {ref}). "
        "Cán bộ xã sẽ liên hệ lại để hẹn ngày khác.",
        "en": "The team came but could not find you (ref {ref}). Commune staff will contact "
        "you to agree another day.",
    },
    "request_cancelled": {
        "vi": "Yêu cầu mã {ref} đã được hủy. Cần giúp, soạn HEN gửi số này hoặc gọi xã.",
        "en": "Request {ref} has been cancelled. For help, text VISIT or call the commune.",
    },
    "visit_rescheduled": {
        "vi": "Lịch đến nhà mã {ref} đã đổi: tổ lưu động đến ấp {hamlet} vào {day}, từ {time}.",
        "en": "Home visit {ref} has moved: the team visits {hamlet} on {day} from {time}.",
    },
    "visit_postponed": {
        "vi": "Chuyến đi ấp của yêu cầu mã {ref} bị hủy. Cán bộ sẽ báo ngày mới sớm.",
        "en": "The trip for request {ref} was cancelled. Staff will tell you the new date soon.",
    },
    "visit_reminder": {
        "vi": "Nhắc lịch: tổ lưu động đến ấp {hamlet} vào {day}, từ {time} (mã {ref}). "
        "Xin ông bà ở nhà, để sẵn giấy tờ.",
        "en": "Reminder: the team visits {hamlet} on {day} from {time} (ref {ref}). "
        "Please be at home with your papers.",
    },
    "no_otp": {
        "vi": "Cán bộ xã không bao giờ hỏi mã OTP.",
        "en": "Staff never ask for an OTP.",
    },
    "question_received": {
        "vi": "Đã nhận câu hỏi, mã {ref}. Cán bộ xã sẽ gọi lại hoặc gửi tin trả lời.",
        "en": "Question received, ref {ref}. Commune staff will call or text you back.",
    },
    # SMS channel (sms/): replies to residents' keywords. Keywords stay unaccented capitals.
    "sms_help": {
        "vi": "Soạn HEN gửi số này: xin cán bộ đến nhà. LICH: lịch tổ. HD: thủ tục. XEM: yêu cầu. "
        "HUY: hủy hẹn. HOI + câu hỏi. Cán bộ không hỏi mã OTP.",
        "en": "Text VISIT: home visit. SCHEDULE: team days. GUIDE: procedures. STATUS: "
        "requests. CANCEL. ASK + question. Staff never ask for an OTP.",
    },
    "sms_unknown": {
        "vi": "Đã chuyển tin cho cán bộ. Hoặc soạn gửi số này: HEN đến nhà, LICH lịch, HD thủ tục, "
        "XEM yêu cầu, HUY hủy hẹn. Cán bộ không hỏi mã OTP.",
        "en": "Your message was passed to staff. Text VISIT, SCHEDULE, GUIDE, STATUS, CANCEL "
        "or ASK + question. Staff never ask for an OTP.",
    },
    "sms_visit_exists_day": {
        "vi": "Yêu cầu đến nhà mã {ref} vẫn còn, tổ đến vào {day}. Không cần gửi lại. "
        "Soạn HUY {ref} gửi số này để hủy.",
        "en": "Your request {ref} stands, the team comes {day}. No need to write again. "
        "Text CANCEL {ref} to cancel.",
    },
    "sms_visit_exists": {
        "vi": "Yêu cầu đến nhà mã {ref} vẫn còn, cán bộ sẽ báo ngày. Không cần gửi lại. "
        "Soạn HUY {ref} gửi số này để hủy.",
        "en": "Your request {ref} stands; staff will tell you the date. No need to write "
        "again. Text CANCEL {ref} to cancel.",
    },
    "sms_ask_hamlet": {
        "vi": "Nhà ở ấp nào? Trả lời bằng số: {menu}",
        "en": "Which hamlet? Reply a number: {menu}",
    },
    "sms_ask_hamlet_schedule": {
        "vi": "Lịch ấp nào? Trả lời bằng số: {menu}",
        "en": "Schedule for which hamlet? Reply a number: {menu}",
    },
    "sms_guide_menu": {
        "vi": "Thủ tục nào? Trả lời bằng số: {menu}",
        "en": "Which procedure? Reply a number: {menu}",
    },
    "sms_menu_more": {"vi": "0=thêm", "en": "0=more"},
    "sms_schedule": {
        "vi": "Tổ lưu động đến ấp {hamlet} vào {day}, từ {time}. "
        "Soạn HEN gửi số này để xin đến nhà.",
        "en": "The mobile team visits {hamlet} on {day} at {time}. Text VISIT for a home visit.",
    },
    "sms_schedule_booked": {
        "vi": "Tổ lưu động đến nhà ông bà {day}, từ {time} (mã {ref}, đã hẹn). "
        "Không cần gửi HEN lại.",
        "en": "The mobile team comes to your home on {day} from {time} (ref {ref}, booked). "
        "No need to send VISIT again.",
    },
    "sms_schedule_has_visit": {
        "vi": "Tổ lưu động đến ấp {hamlet} vào {day}, từ {time}. Ông bà đã có yêu cầu đến "
        "nhà, mã {ref}.",
        "en": "The mobile team visits {hamlet} on {day} at {time}. You already have a home "
        "visit request, ref {ref}.",
    },
    "sms_schedule_none": {
        "vi": "Chưa có lịch tổ lưu động đến ấp {hamlet}. Xin gọi xã số {office}.",
        "en": "No team visit to {hamlet} is planned yet. Please call the commune on {office}.",
    },
    "sms_schedule_none_no_office": {
        "vi": "Chưa có lịch tổ lưu động đến ấp {hamlet}. Cán bộ xã sẽ báo khi có lịch.",
        "en": "No team visit to {hamlet} is planned yet. Staff will tell you when there is one.",
    },
    "sms_status": {
        "vi": "Yêu cầu của ông bà: {items}",
        "en": "Your requests: {items}",
    },
    "sms_status_visit_day": {"vi": "{ref} đến nhà {day}", "en": "{ref} home visit {day}"},
    "sms_status_visit": {
        "vi": "{ref} đến nhà, chờ xếp lịch",
        "en": "{ref} home visit, date to come",
    },
    "sms_status_question": {
        "vi": "{ref} câu hỏi, chờ trả lời",
        "en": "{ref} question, awaiting answer",
    },
    "sms_status_none": {
        "vi": "Ông bà không có yêu cầu nào đang mở. Soạn HEN gửi số này để xin cán bộ đến nhà.",
        "en": "You have no open requests. Text VISIT for a home visit.",
    },
    "sms_cancelled": {
        "vi": "Đã hủy yêu cầu mã {ref}. Cần giúp, soạn HEN gửi số này hoặc gọi xã.",
        "en": "Request {ref} is cancelled. For help, text VISIT or call the commune.",
    },
    "sms_cancel_none": {
        "vi": "Ông bà không có hẹn đến nhà nào để hủy. Soạn XEM gửi số này để xem yêu cầu.",
        "en": "You have no home visit to cancel. Text STATUS to see your requests.",
    },
    "sms_cancel_not_found": {
        "vi": "Không thấy yêu cầu mã {ref} của ông bà. Soạn XEM gửi số này để xem các yêu cầu.",
        "en": "No request {ref} found for your number. Text STATUS to see your requests.",
    },
    "sms_cancel_closed": {
        "vi": "Yêu cầu mã {ref} đã xong hoặc đã hủy, không cần hủy nữa.",
        "en": "Request {ref} is already closed.",
    },
    "sms_question_received": {
        "vi": "Đã chuyển câu hỏi cho cán bộ, mã {ref}. Cán bộ sẽ gửi tin trả lời. "
        "Cán bộ không hỏi mã OTP.",
        "en": "Your question went to staff, ref {ref}. They will reply by SMS. "
        "Staff never ask for an OTP.",
    },
    "sms_question_prompt": {
        "vi": "Soạn HOI và câu hỏi gửi số này, ví dụ: HOI trợ cấp người cao tuổi khi nào có",
        "en": "Text ASK and your question, for example: ASK when is the pension paid",
    },
    "sms_opted_out": {
        "vi": "Đã ngừng gửi tin nhắc lịch cho số này. Ông bà vẫn gửi tin hỏi được. "
        "Soạn BATDAU gửi số này để bật lại.",
        "en": "Reminders to this number are stopped. You can still write to us. "
        "Text START to resume.",
    },
    "sms_opted_in": {
        "vi": "Đã bật lại tin nhắc lịch của xã. Soạn TUCHOI gửi số này để ngừng.",
        "en": "Reminders are back on. Text STOP to stop them.",
    },
    # The understanding step (sms/nlu): emergencies, a one-key question, a handover.
    "sms_emergency": {
        "vi": "Nếu nguy cấp, gọi ngay 115 (cấp cứu), 114 (cháy), 113 (công an). "
        "Cán bộ xã đã nhận tin và sẽ gọi lại.",
        "en": "In danger? Call 115 (ambulance), 114 (fire) or 113 (police) now. "
        "Commune staff have your message and will call you back.",
    },
    "sms_thanks": {
        "vi": "Cảm ơn ông bà.",
        "en": "Thank you.",
    },
    "sms_schedule_on_day": {
        "vi": "Có. Tổ lưu động đến ấp {hamlet} vào {day}, từ {time}. "
        "Soạn HEN gửi số này để xin đến nhà.",
        "en": "Yes. The mobile team visits {hamlet} on {day} at {time}. Text VISIT for a "
        "home visit.",
    },
    "sms_schedule_not_on_day": {
        "vi": "{asked} tổ lưu động không đến ấp {hamlet}. Lần tới: {day}, từ {time}.",
        "en": "The mobile team does not visit {hamlet} on {asked}. Next visit: {day} at {time}.",
    },
    "sms_confirm_visit": {
        "vi": "Ông bà muốn cán bộ đến nhà? Trả lời 1 = Có, 2 = Không",
        "en": "Do you want staff to visit your home? Reply 1 = Yes, 2 = No",
    },
    "sms_confirm_cancel": {
        "vi": "Ông bà muốn hủy hẹn cán bộ đến nhà? Trả lời 1 = Có, 2 = Không",
        "en": "Cancel your home visit? Reply 1 = Yes, 2 = No",
    },
    "sms_handover": {
        "vi": "Đã chuyển tin cho cán bộ, cán bộ sẽ trả lời. Hoặc soạn gửi số này: {hints}. "
        "Cán bộ không hỏi mã OTP.",
        "en": "Your message went to staff, who will reply. Or text: {hints}. "
        "Staff never ask for an OTP.",
    },
    "sms_hint_visit": {"vi": "HEN: xin đến nhà", "en": "VISIT for a home visit"},
    "sms_hint_schedule": {"vi": "LICH: lịch tổ", "en": "SCHEDULE for team days"},
    "sms_hint_guidance": {"vi": "HD: thủ tục", "en": "GUIDE for procedures"},
    "sms_hint_status": {"vi": "XEM: yêu cầu", "en": "STATUS for your requests"},
    "sms_hint_cancel": {"vi": "HUY: hủy hẹn", "en": "CANCEL to cancel a visit"},
    "sms_hint_opt_out": {"vi": "TUCHOI: ngừng tin nhắc lịch", "en": "STOP to end reminders"},
    "sms_hint_opt_in": {"vi": "BATDAU: bật tin nhắc lịch", "en": "START for reminders"},
    "sms_hint_help": {"vi": "?: các từ khóa", "en": "HELP for the keywords"},
    "sms_hint_language": {"vi": "ENGLISH cho tiếng Anh", "en": "VI for Vietnamese"},
    "sms_language": {
        "vi": "Từ nay xã trả lời bằng tiếng Việt. Soạn ENGLISH gửi số này cho tiếng Anh.",
        "en": "Replies will now be in English. Text VI for Vietnamese.",
    },
}


def commune_name():
    """Return the unaccented name that starts every SMS of the bound commune.

    Raises NoCommuneBound when none is: an SMS signed with a default commune's name would
    tell a resident of another commune that the wrong office wrote to them (principle 12).
    """
    return communes.current().sms_prefix


def commune_display_name():
    """Return the bound commune's accented name for pages and voice ("Xã Phú Lâm")."""
    commune = communes.current_or_none()
    return commune.name if commune else DEFAULT_ACCENTED_COMMUNE_NAME


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
