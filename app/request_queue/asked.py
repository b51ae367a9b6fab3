"""What a channel heard a resident ask: one frozen value that open_request takes whole."""

from dataclasses import dataclass, field
from types import MappingProxyType

from app.lifecycle import QUESTION, VISIT


@dataclass(frozen=True, kw_only=True)
class Asked:
    """One request as a channel hears it: what is asked, by whom, where, and why it comes.

    KEEP_RESIDENT leaves a known resident's profile as it is (a caller other than the
    resident, such as the API): HAMLET_ID goes on the request only. VULNERABLE gives the
    request priority whatever the profile says. NOTIFY sends an SMS confirmation (with the
    reference) for channels that do not reply inline: staff entry, the Open311 API.
    """

    # What is asked.
    kind: str
    service_code: str | None = None
    description: str | None = None
    # By whom: the resident's phone (and what the channel learnt of them), through a channel,
    # entered by the resident or on their behalf (staff, an API key).
    phone: str
    channel: str
    actor_type: str = "resident"
    actor: str | None = None
    resident_fields: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    keep_resident: bool = False
    # Where: the hamlet to visit (the resident's own when None).
    hamlet_id: int | None = None
    # Why: the provider event it answers (a retry returns the first request), and whether
    # the resident goes first whatever their profile says.
    source_key: str | None = None
    vulnerable: bool = False
    # How the resident hears of it.
    notify: bool = False

    def __post_init__(self):
        # Frozen all the way down: a caller's dict is copied, not shared.
        fields = dict(self.resident_fields or {})
        object.__setattr__(self, "resident_fields", MappingProxyType(fields))

    @classmethod
    def question(cls, phone, channel, words, *, source_key=None):
        """A resident's question (or message) for staff, in their words."""
        return cls(
            kind=QUESTION, phone=phone, channel=channel, description=words, source_key=source_key
        )

    @classmethod
    def visit(cls, phone, channel, *, hamlet_id=None, source_key=None, **more):
        """A home visit a resident asks for, in HAMLET_ID (their own when None)."""
        return cls(
            kind=VISIT,
            phone=phone,
            channel=channel,
            hamlet_id=hamlet_id,
            source_key=source_key,
            **more,
        )
