"""What GeoReport v2 fixes for this endpoint: its identity, public statuses and caller errors."""

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+07:00"
AGENCY = "UBND xã Phú Lâm"

PUBLIC_STATUS = {
    "new": "open",
    "scheduled": "open",
    "open": "open",
    "visited": "closed",
    "cancelled": "closed",
    "unreachable": "closed",
    "answered": "closed",
    "closed": "closed",
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
