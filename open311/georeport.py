"""Open311 GeoReport v2 over the queue: the service list, request lookups and new requests.

Plain functions on `db` and dicts of parameters (no flask.request), so the routes stay thin.
Problems with the caller's input raise `ApiError`, which the routes render in Open311's format.
The work is done in services, search, records and filing; these are the names the routes use.
"""

from open311.filing import create
from open311.records import expected_datetime, service_notice, to_open311
from open311.search import find, parse_query, search, search_sql
from open311.services import service_definition, services
from open311.spec import CHANGESET, SPECIFICATION, ApiError

__all__ = [
    "CHANGESET",
    "SPECIFICATION",
    "ApiError",
    "create",
    "expected_datetime",
    "find",
    "parse_query",
    "search",
    "search_sql",
    "service_definition",
    "service_notice",
    "services",
    "to_open311",
]
