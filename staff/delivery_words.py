"""How the console words an outbound SMS's fate: one of five states, the same on every page."""

from flask_babel import lazy_pgettext, pgettext

from app.delivery import delivery_states
from staff import bp

STATE_LABELS = {
    delivery_states.QUEUED: lazy_pgettext("delivery", "Queued"),
    delivery_states.SENT: lazy_pgettext("delivery", "Sent"),
    delivery_states.DELIVERED: lazy_pgettext("delivery", "Delivered"),
    delivery_states.FAILED: lazy_pgettext("delivery", "Failed"),
    delivery_states.PARTLY_FAILED: lazy_pgettext("delivery", "Partly failed"),
    delivery_states.NO_STATUS: lazy_pgettext("delivery", "The provider reports no status"),
}


@bp.app_template_filter("delivery_state")
def delivery_state(row, source="message"):
    """The state code of an outbound log row (or, with SOURCE "outbox", an outbox row)."""
    if source == "outbox":
        return delivery_states.of_outbox(row)
    return delivery_states.of_message(row)


@bp.app_template_filter("delivery_label")
def delivery_label(state):
    """The officer's words for a delivery state."""
    return str(STATE_LABELS.get(state, state))


@bp.app_template_filter("delivery_parts")
def delivery_parts(row):
    """How a long message's parts fared, in the officer's words; "" for a one-part message."""
    found = delivery_states.parts_of(row)
    if found is None:
        return ""
    if found["failed"]:
        return pgettext(
            "delivery",
            "%(failed)s of %(parts)s parts failed, %(delivered)s delivered",
            failed=found["failed"],
            parts=found["parts"],
            delivered=found["delivered"],
        )
    return pgettext(
        "delivery",
        "%(delivered)s of %(parts)s parts delivered",
        delivered=found["delivered"],
        parts=found["parts"],
    )
