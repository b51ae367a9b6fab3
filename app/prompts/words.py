"""What the voice menu says: one locale table of short, accented Vietnamese prompts and English.

The voice channel says them; the console lists them for staff to record (app.prompts.catalogue),
so both read this one table. Sentences are short on purpose: one idea each, the action first and
the key last.
"""

SESSIONS = {
    "vi": {"morning": "buổi sáng", "afternoon": "buổi chiều"},
    "en": {"morning": "morning", "afternoon": "afternoon"},
}

PROMPTS = {
    # Greeting and main menu: together at most 30 s (tests/test_voice_crawl.py).
    "greeting": {
        "vi": "Ủy ban {commune} xin chào.",
        "en": "This is the {commune} People's Committee.",
    },
    "greeting_callback": {
        "vi": "Ủy ban {commune} gọi lại ông bà.",
        "en": "The {commune} People's Committee is calling you back.",
    },
    "no_otp": {
        "vi": "Cán bộ xã không bao giờ hỏi mã ô tê pê.",
        "en": "Staff never ask for an OTP.",
    },
    "menu_visit": {
        "vi": "Xin cán bộ đến nhà, bấm phím 1.",
        "en": "For a home visit, press 1.",
    },
    "menu_guidance": {
        "vi": "Hướng dẫn giấy tờ, bấm phím 2.",
        "en": "For papers, press 2.",
    },
    "menu_schedule": {
        "vi": "Ngày cán bộ đến ấp, bấm phím 3.",
        "en": "For visit days, press 3.",
    },
    "menu_message": {
        "vi": "Để lại lời nhắn, bấm phím 0.",
        "en": "To leave a message, press 0.",
    },
    "menu_repeat": {
        "vi": "Nghe lại, bấm phím 9.",
        "en": "To repeat, press 9.",
    },
    "switch_language": {
        # Said in its own language after the menu of the other one, by that language's voice.
        "vi": "Nghe tiếng Việt, bấm phím 8.",
        "en": "For English, press 8.",
    },
    "back_to_start": {
        "vi": "Quay lại từ đầu, bấm phím sao.",
        "en": "To go back to the start, press star.",
    },
    # Timing and mistakes.
    "no_input": {
        "vi": "Xin lỗi, chưa nghe ông bà bấm phím.",
        "en": "Sorry, we did not hear a key.",
    },
    "invalid_key": {
        "vi": "Xin lỗi, phím đó không có trong danh sách.",
        "en": "Sorry, that key is not on the list.",
    },
    "silence_to_message": {
        "vi": "Ông bà chưa bấm phím. Ông bà có thể nói lời nhắn. Cán bộ xã sẽ nghe và gọi lại.",
        "en": "We did not hear a key. You can leave a message. Staff will listen and call back.",
    },
    "long_call_to_message": {
        "vi": "Cuộc gọi đã khá lâu. Ông bà có thể nói lời nhắn. Cán bộ xã sẽ gọi lại.",
        "en": "This call has been long. You can leave a message. Staff will call you back.",
    },
    "no_number": {
        "vi": "Không thấy số điện thoại của ông bà. "
        "Xin gọi bằng điện thoại của mình, hoặc đến Ủy ban nhân dân xã.",
        "en": "We cannot see your phone number. "
        "Please call from your own phone, or come to the commune office.",
    },
    "goodbye": {
        "vi": "Cảm ơn ông bà đã gọi. Chào ông bà.",
        "en": "Thank you for calling. Goodbye.",
    },
    # Voice message.
    "message_intro": {
        "vi": "Xin nói lời nhắn sau tiếng bíp, tối đa hai phút. "
        "Nói xong, bấm phím thăng, hoặc gác máy.",
        "en": "Please speak after the beep, up to two minutes. "
        "When you finish, press hash, or hang up.",
    },
    "message_thanks": {
        "vi": "Cảm ơn ông bà. Cán bộ xã sẽ nghe lời nhắn, và gọi lại.",
        "en": "Thank you. Staff will listen to your message, and call you back.",
    },
    "message_empty": {
        "vi": "Chưa nghe được lời nhắn. Ông bà có thể gọi lại bất cứ lúc nào.",
        "en": "We did not hear a message. You can call again at any time.",
    },
    # Home visit.
    "visit_known": {
        "vi": "Cán bộ xã sẽ đến nhà ông bà, ở ấp {hamlet}.",
        "en": "Staff will visit your home, in {hamlet}.",
    },
    "visit_confirm": {
        "vi": "Để đồng ý, bấm phím 1.",
        "en": "To agree, press 1.",
    },
    "visit_other_hamlet": {
        "vi": "Nếu ông bà ở ấp khác, bấm phím 2.",
        "en": "If you live in another hamlet, press 2.",
    },
    "visit_existing": {
        "vi": "Ông bà đã có hẹn.",
        "en": "You already have a home visit booked.",
    },
    "visit_received": {
        "vi": "Đã nhận yêu cầu của ông bà.",
        "en": "Your request is received.",
    },
    "visit_day": {
        "vi": "Cán bộ đến ấp {hamlet} vào {session}, {day}.",
        "en": "Staff come to {hamlet} on the {session} of {day}.",
    },
    "visit_call_back": {
        "vi": "Chưa có lịch đến ấp của ông bà. Cán bộ xã sẽ gọi lại để hẹn ngày.",
        "en": "No visit to your hamlet is planned yet. Staff will call you back with a date.",
    },
    "ref_number": {
        # Read twice: a caller may need the first time to find a pen.
        "vi": "Mã số của ông bà là: {code}. Xin nhắc lại: {code}.",
        "en": "Your reference number is: {code}. Once more: {code}.",
    },
    "sms_copy": {
        "vi": "Xã sẽ nhắn tin xác nhận.",
        "en": "We will text you the details.",
    },
    "hear_again": {
        "vi": "Nghe lại, bấm phím 9.",
        "en": "To repeat, press 9.",
    },
    "may_hang_up": {
        "vi": "Ông bà có thể gác máy.",
        "en": "You may hang up now.",
    },
    # Choosing a hamlet.
    "choose_hamlet": {
        "vi": "Xin chọn ấp của ông bà.",
        "en": "Please choose your hamlet.",
    },
    "hamlet_group_old_commune": {
        "vi": "Các ấp của xã cũ {name}, bấm phím {key}.",
        "en": "Hamlets of the former {name} commune, press {key}.",
    },
    "hamlet_group_range": {
        "vi": "Từ ấp {first} đến ấp {last}, bấm phím {key}.",
        "en": "From {first} to {last}, press {key}.",
    },
    "hamlet_option": {
        "vi": "Ấp {name}, bấm phím {key}.",
        "en": "{name}, press {key}.",
    },
    # Next visit to the hamlet.
    "schedule_next": {
        "vi": "Lần tới, cán bộ đến ấp {hamlet} vào {session}, {day}.",
        "en": "Staff next visit {hamlet} on the {session} of {day}.",
    },
    "schedule_none": {
        "vi": "Chưa có lịch cán bộ đến ấp {hamlet}. Cán bộ xã sẽ báo sau.",
        "en": "No visit to {hamlet} is planned yet. Staff will tell you later.",
    },
    "schedule_book": {
        "vi": "Xin cán bộ đến nhà ông bà, bấm phím 1.",
        "en": "For a home visit, press 1.",
    },
    "schedule_book_home": {
        # The caller lives in another hamlet: the visit is to their home, and we say where.
        "vi": "Xin cán bộ đến nhà ông bà ở ấp {hamlet}, bấm phím 1.",
        "en": "For a home visit in {hamlet}, where you live, press 1.",
    },
    # Procedure guidance.
    "choose_procedure": {
        "vi": "Xin chọn thủ tục.",
        "en": "Please choose a procedure.",
    },
    "procedure_option": {
        "vi": "{name}, bấm phím {key}.",
        "en": "{name}, press {key}.",
    },
    "more_procedures": {
        "vi": "Thủ tục khác, bấm phím 6.",
        "en": "For more procedures, press 6.",
    },
    "procedure_title": {
        "vi": "Hướng dẫn: {name}.",
        "en": "How to do it: {name}.",
    },
    "procedure_sms_offer": {
        "vi": "Nhận đủ hướng dẫn bằng tin nhắn, bấm phím 1.",
        "en": "For the full guide by text, press 1.",
    },
    "procedure_other": {
        "vi": "Thủ tục khác, bấm phím sao.",
        "en": "For another procedure, press star.",
    },
    "sms_sent": {
        "vi": "Đã gửi tin nhắn hướng dẫn đến máy này.",
        "en": "The text message is on its way to this phone.",
    },
    "sms_not_mobile": {
        "vi": "Số điện thoại này không nhận được tin nhắn.",
        "en": "This phone number cannot receive text messages.",
    },
}

# The accented name to speak when COMMUNE_NAME is the unaccented SMS form of it.
DEFAULT_SPOKEN_COMMUNE = "Xã Phú Lâm"
