"""Procedure catalogue: edit the accented texts, preview the SMS renderings, warn on length."""

from flask import abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import audit
from app.catalogue import catalog, guidance
from app.catalogue.guidance import LIST_FIELDS, SMS_FIELDS, TEXT_FIELDS
from app.catalogue.text_rules import UnsafeText
from app.infra.database import get_db
from app.language import speech
from app.language.texts import segments
from db import transaction
from staff import bp
from staff.common import actor, back, current_commune

# A summary this long still leaves the procedure's phone answer within its 40 seconds.
SPOKEN_SUMMARY_SECONDS = 20


def spoken_previews(procedure):
    """Return, per spoken field, its seconds at the phone's pace and what the voice misreads."""
    previews = {}
    for field in guidance.SPOKEN_FIELDS:
        text = procedure.get(field) or ""
        if not text:
            continue
        language = "en" if field.endswith("_en") else "vi"
        seconds = speech.seconds(text, language)
        previews[field] = {
            "seconds": round(seconds),
            "too_long": field.startswith("spoken_summary") and seconds > SPOKEN_SUMMARY_SECONDS,
            "misread": speech.misreadings(text) if language == "vi" else [],
        }
    return previews


FIELD_LABELS = {
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "summary": _l("Summary"),
    "steps": _l("Steps, one per line"),
    "documents": _l("Documents to bring, one per line"),
    "fee_note": _l("Fee"),
    "deadline_note": _l("Deadline"),
    "where_note": _l("Where"),
    "sms_steps": _l("SMS: steps"),
    "sms_documents": _l("SMS: documents"),
    "sms_steps_en": _l("SMS: steps (English)"),
    "sms_documents_en": _l("SMS: documents (English)"),
    "spoken_name": _l("Short name"),
    "spoken_summary": _l("Summary"),
    "spoken_name_en": _l("Short name (English)"),
    "spoken_summary_en": _l("Summary (English)"),
}


def sms_previews(procedure):
    """Return, per SMS field, the body as sent, its segment count and whether it fits one."""
    previews = {}
    for field in SMS_FIELDS:
        text = procedure.get(field) or ""
        if not text:
            continue
        body = catalog.sms_body(text)
        info = segments(body)
        previews[field] = {
            "body": body,
            "segments": info.count,
            "units": info.units,
            "fits": info.count <= 1,
        }
    return previews


def procedure_from_form(existing):
    """Build the procedure dict from the submitted form, keeping fields the form lacks."""
    procedure = dict(existing)
    for field in TEXT_FIELDS:
        procedure[field] = (request.form.get(field) or "").strip()[:2000]
    for field in guidance.SPOKEN_FIELDS:
        if field in request.form:  # a form without the phone fields keeps them as they are
            procedure[field] = request.form[field].strip()[:2000]
    for field in LIST_FIELDS:
        lines = (request.form.get(field) or "").splitlines()
        procedure[field] = [line.strip() for line in lines if line.strip()]
    # Keywords and the active flag are the province's: a commune's form does not change them.
    return procedure


class _Measured(Exception):
    """Raised to undo a trial save once the phone answers it would give are measured."""


def too_long_on_the_phone(db, procedure):
    """The phone answers PROCEDURE, once saved, would make too long: [(what, language, s)].

    It is saved in a transaction that is always rolled back, and the menus are measured from
    the catalogue as it then is: its short name sits in its group's menu with the others.
    """
    try:
        with transaction(db):
            guidance.save_override(db, current_commune(), procedure["code"], procedure)
            checks = current_app.extensions.get("answer_length_checks", ())
            # The trial holds the write lock, and every webhook waits for it: measure only
            # what this edit can change, not every procedure's answer.
            raise _Measured(guidance.answers_too_long(db, checks, procedure["code"]))
    except _Measured as measured:
        return measured.args[0]


def phone_length_warning(entry):
    """Say which phone answer is too long, by how much, and what to shorten."""
    (kind, code), language, seconds = entry
    if kind == "group":
        what = _("the list of procedures with %(code)s", code=code)
    else:
        what = _("the answer about %(code)s", code=code)
    if language == "en":
        what = _("%(what)s in English", what=what)
    return _(
        "On the phone, %(what)s would take %(seconds)s seconds, more than %(limit)s. "
        "Shorten the short names or the summary.",
        what=what,
        seconds=round(seconds),
        limit=guidance.MAX_ANSWER_SECONDS,
    )


def unsafe_text(db, procedure):
    """Say which text may not go to residents and why, or None when all may."""
    try:
        guidance.check_texts(db, procedure)
    except UnsafeText as exc:
        return _(
            "Not saved: the field \u201c%(field)s\u201d cannot go to residents, because "
            "%(reason)s.",
            field=FIELD_LABELS.get(exc.field, exc.field),
            reason=_(exc.template, **exc.params),
        )
    return None


@bp.get("/catalogue")
def catalogue():
    """List the procedures with the SMS length of each."""
    db = get_db()
    procedures = guidance.all_procedures(db, include_inactive=True)
    # The phone menu reads only active procedures, a group at a time (voice.procedure_menus).
    keys = guidance.phone_keys(guidance.all_procedures(db))
    return render_template(
        "staff/catalogue.html",
        procedures=[(item, sms_previews(item)) for item in procedures],
        phone_keys=keys,
        more_key=guidance.MORE_PROCEDURES_KEY,
    )


@bp.route("/catalogue/<code>", methods=["GET", "POST"])
def procedure_edit(code):
    """Edit one procedure; a preview or an over-long SMS text shows before anything is saved."""
    db = get_db()
    existing = guidance.get(db, code)
    if existing is None:
        abort(404)
    procedure = existing
    status = 200
    if request.method == "POST":
        saving = request.form.get("action") == "save"
        if saving and not current_user.is_admin:
            # Every resident who asks gets these texts: only admins change them.
            abort(403)
        procedure = procedure_from_form(existing)
        previews = sms_previews(procedure)
        too_long = [field for field, info in previews.items() if not info["fits"]]
        unsafe = unsafe_text(db, procedure)
        too_long_spoken = (
            too_long_on_the_phone(db, procedure) if procedure["name"] and not unsafe else []
        )
        if not procedure["name"]:
            flash(_("The name cannot be empty."), "error")
        elif unsafe:
            flash(unsafe, "error")
            status = 400
        elif too_long_spoken:
            # Every answer stays short enough to remember, whatever the catalogue says.
            warning = phone_length_warning(too_long_spoken[0])
            flash(_("Not saved.") + " " + warning if saving else warning, "error")
            status = 400 if saving else 200
        elif saving and (not too_long or request.form.get("confirm_long")):
            with transaction(db):
                # The commune's own texts over the province's: no other commune reads them.
                guidance.save_override(
                    db, current_commune(), existing["code"], procedure, actor=actor()
                )
                audit.record(
                    db,
                    current_commune(),
                    actor=actor(),
                    action="procedure_saved",
                    target=existing["code"],
                    note="SMS longer than one segment" if too_long else None,
                )
            flash(_("Procedure saved."), "success")
            if too_long:
                flash(_("Saved with SMS texts longer than one segment."), "warning")
            return back("staff.procedure_edit", code=existing["code"])
        elif too_long and saving:
            flash(
                _(
                    "Some SMS texts are longer than one segment. Shorten them, or tick the box "
                    "to save anyway."
                ),
                "warning",
            )
    previews = sms_previews(procedure)
    return render_template(
        "staff/procedure.html",
        procedure=procedure,
        previews=previews,
        spoken=spoken_previews(procedure),
        spoken_limit=SPOKEN_SUMMARY_SECONDS,
        too_long=[field for field, info in previews.items() if not info["fits"]],
    ), status
