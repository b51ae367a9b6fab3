"""Template filters and globals for the console: local times, phones and status labels."""

import datetime as dt
import re
import unicodedata

from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import lifecycle
from app.catalogue import catalog, guidance
from app.infra import clock
from app.language import days, phones
from app.language.days import WEEKDAYS_EN, WEEKDAYS_VI
from app.request_queue import field
from staff import bp


def _translated(words):
    """The console's labels for a table of lifecycle wording, translated when shown.

    A word with two meanings comes as (context, text), so each meaning has its translation.
    """
    return {
        code: lazy_pgettext(*text) if isinstance(text, tuple) else _l(text)
        for code, text in words.items()
    }


# Statuses are worded once, in app.lifecycle; trips add their own two.
STATUS_LABELS = {
    **_translated(lifecycle.STATUS_WORDS),
    "planned": _l("Planned"),
    "done": _l("Done"),
}
KIND_LABELS = {"visit": _l("Home visit"), "question": _l("Question")}
# The console's words for lifecycle.CHANNELS.
CHANNEL_LABELS = {
    "sms": _l("SMS"),
    "voice": _l("Phone call"),
    "staff": _l("Staff entry"),
    "api": _l("Open311 API"),
}
SESSION_LABELS = {"morning": _l("morning"), "afternoon": _l("afternoon")}
ATTENTION_LABELS = {
    "emergency": _l("Emergency"),
    "distress": _l("Plea for help"),
    "long": _l("Long message"),
}
MEANING_LABELS = {
    "visit": _l("Home visit request"),
    "schedule": _l("Asks for the team's schedule"),
    "guidance": _l("Asks about a procedure"),
    "status": _l("Asks about their requests"),
    "cancel": _l("Cancels their visit"),
    "question": _l("A question for staff"),
    "opt_out": _l("Stop reminders"),
    "opt_in": _l("Reminders back on"),
}
ACTION_LABELS = {
    # A change of status is named after the status it leads to.
    **{action: STATUS_LABELS[action] for action in ("scheduled", "visited", "unreachable")},
    **{action: STATUS_LABELS[action] for action in ("cancelled", "answered")},
    "opened": _l("Opened"),
    "assigned": _l("Put on a trip"),
    "moved": _l("Moved to a trip"),
    "hamlet_set": _l("Hamlet set"),
    "callback_requested": _l("Call back requested"),
    "trip_cancelled": _l("Trip cancelled, moved"),
    "bumped": _l("Moved for a priority visit"),
    "sms_retry": _l("SMS sent again"),
    "rescheduled": _l("Rescheduled"),
    "recording_ready": _l("Voice message ready"),
    "recording_absent": _l("Voice message was silent"),
    "recording_failed": _l("Voice message could not be recorded"),
    "resident_wrote": _l("Resident wrote again"),
    "resident_updated": _l("Resident profile edited"),
    "attention": _l("Marked for an officer to read"),
    "attention_cleared": _l("Read by an officer"),
    "attention_read": _l("Read by an officer"),
    "visit_booked": _l("Home visit booked from this message"),
    "opened_from": _l("Booked from a message"),
    "closed_by_visit": _l("Closed: the home visit was done"),
    "rebooked": _l("Booked again after not at home"),
    "moved_up": _l("Moved to an earlier trip (priority)"),
    "follow_up_call_back": _l("Call back promised"),
    "follow_up_not_home": _l("Follow-up: not found at home"),
    "follow_up_called": _l("Call back done"),
    "follow_up_not_called": _l("Call back not done"),
    "follow_up_rebooked": _l("Follow-up done: booked again"),
    "follow_up_call_first": _l("Follow-up: call first"),
    "follow_up_closed": _l("Follow-up done: closed"),
    "reported": _l("The caller said (profile unchanged)"),
    "callback_answered": _l("Call back answered"),
    "callback_failed": _l("Call back not answered"),
    "field_note": _l("Note from the field team"),
    "field_visited_kept": _l('Field team wrote "visited" (kept as a note)'),
    "field_unreachable_kept": _l('Field team wrote "not home" (kept as a note)'),
    "field_note_kept": _l("Note from the field team"),
    "corrected": _l("An officer corrected what an SMS meant"),
}
AUDIT_LABELS = {
    "commune_settings": _l("Commune settings saved"),
    "hamlet_saved": _l("Hamlet saved"),
    "hamlet_alias_added": _l("Other name of a hamlet added"),
    "hamlet_alias_accept": _l("Suggested name of a hamlet kept"),
    "hamlet_alias_dismiss": _l("Suggested name of a hamlet dismissed"),
    "hamlet_alias_remove": _l("Other name of a hamlet removed"),
    "rule_saved": _l("Schedule rule saved"),
    "trip_cancelled": _l("Trip cancelled"),
    "trip_added": _l("Extra trip added"),
    "account_created": _l("Account created"),
    "account_saved": _l("Account changed"),
    "account_unlocked": _l("Account unlocked"),
    "api_key_created": _l("API key created"),
    "api_key_revoked": _l("API key revoked"),
    "procedure_saved": _l("Procedure saved"),
    "prompt_recording_uploaded": _l("Prompt recording uploaded"),
    "prompt_recording_saved": _l("Prompt recording saved"),
    "prompt_recording_refused": _l("Prompt recording refused"),
    "prompt_recording_deleted": _l("Prompt recording deleted"),
    "prompt_text_edited": _l("Prompt words changed"),
    "prompt_placeholders_made": _l("Synthetic prompt placeholders made"),
    "province_read": _l("Read by the province"),
}
PROMPT_STATE_LABELS = {
    "current": _l("current"),
    "stale": _l("stale: the words changed"),
    "pending": _l("being prepared"),
    "refused": _l("refused"),
    "missing": _l("missing"),
}
PROMPT_REFUSAL_LABELS = {
    "not_audio": _l("not audio"),
    "silent": _l("no voice heard"),
    "budget": _l("too long for its time budget"),
    "greeting": _l("greeting and menu over 30 s"),
    "answer": _l("with the other recordings, a phone answer would pass 40 s"),
    "unknown": _l("no such prompt"),
}
OUTBOX_LABELS = _translated(lifecycle.OUTBOX_STATUS_WORDS)
MESSAGE_STATUS_LABELS = _translated(lifecycle.MESSAGE_STATUS_WORDS)
# Why a resident goes first, as the trip sheet lists it: short enough for a badge.
REASON_LABELS = {
    "75+": _l("75+"),
    "lives alone": _l("lives alone"),
    "limited mobility": _l("limited mobility"),
}
# Who did something on a request's timeline.
ACTOR_LABELS = {
    "resident": _l("resident"),
    "staff": _l("officer"),
    "system": _l("system"),
    "api": _l("partner (API)"),
}
FIELD_RESULT_LABELS = {
    "visited": STATUS_LABELS["visited"],
    "unreachable": STATUS_LABELS["unreachable"],
    "note": _l("Note"),
}
SMS_FIELD_LABELS = {
    "sms_steps": _l("Steps"),
    "sms_documents": _l("Documents"),
    "sms_steps_en": _l("Steps (English)"),
    "sms_documents_en": _l("Documents (English)"),
}
# An outbox attempt, by action and outcome (app.delivery.outbox records them).
ATTEMPT_LABELS = {
    "send:accepted": _l("Handed to the provider"),
    "send:ambiguous": _l("No clear answer from the provider; checked before any resend"),
    "send:error": _l("Refused by the provider"),
    "send:setup": _l("The SMS gateway is not set up"),
    "lookup:found": _l("Found at the provider, so not sent again"),
    "lookup:not_found": _l("Not at the provider, so sent again"),
    "lookup:ambiguous": _l("Could not check at the provider"),
    "lookup:error": _l("Could not check at the provider"),
    "lookup:setup": _l("The SMS gateway is not set up"),
    "report:failed": _l("The provider reported it was not sent"),
}
WEEKDAY_NAMES = {"vi": WEEKDAYS_VI, "en": WEEKDAYS_EN}


def composed(value):
    """Jinja finalize: print text in NFC, so a tone mark typed apart sits on its letter.

    Phones send "Nguyễn" decomposed (e, circumflex, tilde) as often as composed; the
    composed letter is one glyph of the console font, the decomposed one needs mark
    positioning across font files, which browsers do not do.
    """
    if isinstance(value, Markup):
        return Markup(unicodedata.normalize("NFC", str(value)))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


@bp.record_once
def print_composed(state):
    """Set the finalize hook before any template is compiled."""
    state.app.jinja_env.finalize = composed


def ui_language():
    """Return the console language code of this request ("vi" or "en")."""
    return str(get_locale() or "vi")


@bp.app_template_filter("procedure_name")
def procedure_name(procedure):
    """A procedure's name in the console's language (Vietnamese when no English one is set)."""
    return guidance.written_name(procedure, ui_language()) if procedure else ""


@bp.app_template_filter("localtime")
def localtime(stamp, fmt="%d/%m/%Y %H:%M"):
    """Format stored UTC text in the commune's local time."""
    moment = clock.to_local(stamp) if stamp else None
    return moment.strftime(fmt) if moment else ""


@bp.app_template_filter("phone")
def phone(e164):
    """Format an E.164 number as people write it."""
    return phones.display(e164) if e164 else ""


@bp.app_template_filter("day")
def day(value):
    """Format a local date ("2026-12-01") as "thứ Ba 01/12" or "Tuesday 01/12"."""
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return days.staff_day(date, ui_language())


@bp.app_template_filter("reasons")
def reasons_of(row):
    """Return why a request's resident goes first, as the codes REASON_LABELS words."""
    flags = (("age_75_plus", "75+"), ("lives_alone", "lives alone"))
    flags += (("limited_mobility", "limited mobility"),)
    return [code for field, code in flags if row.get(field)]


@bp.app_template_filter("nearby")
def nearby(value):
    """Say "today" or "tomorrow" for a local date that is one of them, else ""."""
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    offset = (date - clock.local_today()).days
    return {0: str(_l("today")), 1: str(_l("tomorrow"))}.get(offset, "")


# Notes the system writes on a request's timeline, in English, read back in the officer's words.
TRIP_NOTE = re.compile(
    r"^trip (\d{4}-\d{2}-\d{2})(?: (morning|afternoon))?(?: (cancelled)(?:: (.*))?)?$"
)
SYSTEM_NOTES = {
    "hamlet not served": _l("the trip no longer goes to this hamlet"),
    "capacity reduced": _l("the trip has fewer places now"),
    "schedule changed": _l("the schedule changed"),
    "no trip with room: waiting for a date": _l("no trip has room: waiting for a date"),
    "trip changed": _l("trip changed"),
}
PRIORITY_NOTE = re.compile(r"^place given to priority request (\w+)$")
SIZE_NOTE = re.compile(r"^(\d+) s$")


def _note_part(part):
    """Reword one part of a system note, or return it as it is."""
    if part in SYSTEM_NOTES:
        return str(SYSTEM_NOTES[part])
    if match := TRIP_NOTE.match(part):
        date, session, cancelled, why = match.groups()
        words = _l("trip of %(day)s", day=day(date))
        if session:
            words = f"{words} · {label(session, 'session')}"
        if cancelled:
            words = _l("trip of %(day)s cancelled", day=day(date))
            if why:
                words = f"{words}: {_note_part(why)}"
        return str(words)
    if match := PRIORITY_NOTE.match(part):
        return str(_l("place given to priority request %(ref)s", ref=match.group(1)))
    if match := SIZE_NOTE.match(part):
        return str(_l("%(seconds)s seconds", seconds=match.group(1)))
    return part


# The resident's fields a "resident_updated" event names.
PROFILE_FIELDS = {
    "name": _l("name"),
    "hamlet_id": _l("hamlet"),
    "language": _l("SMS language"),
    "birth_year": _l("year of birth"),
    "notes": _l("notes"),
    "landmark": _l("how to find the house"),
    "age_75_plus": _l("75 or older"),
    "lives_alone": _l("lives alone"),
    "limited_mobility": _l("limited mobility"),
}


# Why a call-back did not reach the resident: Twilio's call statuses, and our own reasons.
CALL_OUTCOMES = {
    "busy": _l("the line was busy"),
    "no-answer": _l("nobody answered"),
    "failed": _l("the call did not go through"),
    "canceled": _l("the call was cancelled"),
    "no Twilio account": _l("no Twilio account is set up"),
}
NO_STATUS_NOTE = re.compile(r"^no status callback \((.*)\)$")


def _reported_part(part):
    """Reword "age_75_plus: yes" (what a caller said, from the API) in the officer's words."""
    field, _sep, value = part.partition(": ")
    value = {"yes": _l("yes"), "no": _l("no")}.get(value, value)
    named = PROFILE_FIELDS.get(field) or PROFILE_FIELDS.get(f"{field}_id", field)
    return f"{named}: {value}"


def _callback_part(part):
    """Reword why a call-back failed."""
    if part in CALL_OUTCOMES:
        return str(CALL_OUTCOMES[part])
    if NO_STATUS_NOTE.match(part):
        return str(_l("no word on the call from the phone company"))
    return part


@bp.app_template_filter("note")
def note(text, action=None):
    """Show a timeline note in the officer's language: system notes reworded, dates dd/mm.

    Stored notes stay in one language on purpose: each is written once, by code that knows
    no officer, and read later in Vietnamese or English; the console rewords it as it shows it.
    """
    if not text:
        return ""
    text = str(text)
    if action == "resident_updated":
        return ", ".join(str(PROFILE_FIELDS.get(f.strip(), f)) for f in text.split(","))
    if action == "attention":
        return label(text, "attention")
    reword = {"reported": _reported_part, "callback_failed": _callback_part}.get(action, _note_part)
    return "; ".join(reword(part) for part in text.split("; "))


@bp.app_template_filter("label")
def label(value, kind="status"):
    """Translate a stored code (status, kind, channel, session, action) into words."""
    tables = {
        "status": STATUS_LABELS,
        "kind": KIND_LABELS,
        "channel": CHANNEL_LABELS,
        "session": SESSION_LABELS,
        "action": ACTION_LABELS,
        "audit": AUDIT_LABELS,
        "outbox": OUTBOX_LABELS,
        "message": MESSAGE_STATUS_LABELS,
        "reason": REASON_LABELS,
        "actor": ACTOR_LABELS,
        "field": FIELD_RESULT_LABELS,
        "sms_field": SMS_FIELD_LABELS,
        "attention": ATTENTION_LABELS,
        "meaning": MEANING_LABELS,
        "kept": {key: _l(text) for key, text in field.KEPT_REASONS.items()},
        "attempt": ATTEMPT_LABELS,
        "prompt_state": PROMPT_STATE_LABELS,
        "prompt_refusal": PROMPT_REFUSAL_LABELS,
    }
    found = tables.get(kind, {}).get(value)
    return str(found) if found is not None else (value or "")


@bp.app_context_processor
def console_globals():
    """Expose the UI language and the commune's accented name to every template."""
    return {"ui_lang": ui_language(), "commune_display_name": catalog.commune_display_name()}
