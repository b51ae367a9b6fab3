"""The keywords residents text and what each means: one table for SMS, its parser and Open311.

Channels read it here (sms.keywords parses messages with it; Open311 lists a service's
keywords from it), so a keyword added once is understood and advertised everywhere.
"""

VISIT, CANCEL, HELP, GUIDE, SCHEDULE, STATUS, QUESTION = (
    "visit",
    "cancel",
    "help",
    "guide",
    "schedule",
    "status",
    "question",
)
OPT_OUT, OPT_IN, LANG_EN, LANG_VI, PROCEDURE, DIGIT = (
    "opt_out",
    "opt_in",
    "lang_en",
    "lang_vi",
    "procedure",
    "digit",
)

# Folded keyword → (intent, language it reveals or None). Multi-word keywords are written
# without spaces because matching joins the first words ("HUY NHAC" → HUYNHAC).
# TC, KT, TK and a bare DK are carrier commands and are deliberately absent.
KEYWORDS = {
    # home visit
    "HEN": (VISIT, "vi"),
    "HENGAP": (VISIT, "vi"),
    "XINHEN": (VISIT, "vi"),
    "DENNHA": (VISIT, "vi"),
    "XINDENNHA": (VISIT, "vi"),
    "GAP": (VISIT, "vi"),
    "GAPCANBO": (VISIT, "vi"),
    "TOLUUDONG": (VISIT, "vi"),
    "DATLICH": (VISIT, "vi"),
    "DATHEN": (VISIT, "vi"),
    "VISIT": (VISIT, "en"),
    "HOMEVISIT": (VISIT, "en"),
    # cancel a visit (a bare HUY means cancel, as with carriers; never opt-out)
    "HUY": (CANCEL, "vi"),
    "HUYHEN": (CANCEL, "vi"),
    "HUYYEUCAU": (CANCEL, "vi"),
    "CANCEL": (CANCEL, "en"),
    # help: the keyword list
    "?": (HELP, None),
    "TROGIUP": (HELP, "vi"),
    "GIUP": (HELP, "vi"),
    "MENU": (HELP, None),
    "HELP": (HELP, "en"),
    # procedure guidance menu ("HD" = hướng dẫn); "HD <code>" gives that procedure
    "HD": (GUIDE, "vi"),
    "HUONGDAN": (GUIDE, "vi"),
    "THUTUC": (GUIDE, "vi"),
    "HOSO": (GUIDE, "vi"),
    "GUIDE": (GUIDE, "en"),
    "PROCEDURES": (GUIDE, "en"),
    "INFO": (GUIDE, "en"),
    # schedule of the next team visit
    "LICH": (SCHEDULE, "vi"),
    "LICHAP": (SCHEDULE, "vi"),
    "LICHTO": (SCHEDULE, "vi"),
    "XEMLICH": (SCHEDULE, "vi"),
    "SCHEDULE": (SCHEDULE, "en"),
    # my open requests
    "XEM": (STATUS, "vi"),
    "XEMHEN": (STATUS, "vi"),
    "KIEMTRA": (STATUS, "vi"),
    "TINHTRANG": (STATUS, "vi"),
    "STATUS": (STATUS, "en"),
    # a free question for staff
    "HOI": (QUESTION, "vi"),
    "CAUHOI": (QUESTION, "vi"),
    "ASK": (QUESTION, "en"),
    "QUESTION": (QUESTION, "en"),
    # opt out of proactive messages
    "STOP": (OPT_OUT, None),
    "TUCHOI": (OPT_OUT, "vi"),
    "HUYNHAC": (OPT_OUT, "vi"),
    "NGUNGNHAN": (OPT_OUT, "vi"),
    "NGUNGNHANTIN": (OPT_OUT, "vi"),
    "STOPALL": (OPT_OUT, "en"),
    "UNSUBSCRIBE": (OPT_OUT, "en"),
    # opt back in
    "START": (OPT_IN, None),
    "BATDAU": (OPT_IN, "vi"),
    "NHANLAI": (OPT_IN, "vi"),
    "DANGKYLAI": (OPT_IN, "vi"),
    "UNSTOP": (OPT_IN, "en"),
    # reply language
    "ENGLISH": (LANG_EN, "en"),
    "TIENGANH": (LANG_EN, "en"),
    "EN": (LANG_EN, "en"),
    "TIENGVIET": (LANG_VI, "vi"),
    "VI": (LANG_VI, "vi"),
}


def keywords_for(intent, language="vi"):
    """Return the keywords that mean INTENT in LANGUAGE, in table order ("HEN", "HENGAP", …)."""
    return [
        word
        for word, (meaning, said_in) in KEYWORDS.items()
        if (meaning, said_in) == (intent, language)
    ]
