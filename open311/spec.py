"""What GeoReport v2 fixes for this endpoint: its identity, public statuses and caller errors."""

from app import lifecycle

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+07:00"

PUBLIC_STATUS = {
    status: "closed" if status in lifecycle.CLOSED_STATUSES else "open"
    for status in lifecycle.ALL_STATUSES
}
INTERNAL_STATUSES = {
    public: tuple(sorted(s for s, p in PUBLIC_STATUS.items() if p == public))
    for public in ("open", "closed")
}


class ApiError(Exception):
    """A problem with the caller's request, reported with an HTTP status."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description
