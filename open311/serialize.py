"""Render Open311 answers as JSON or as the spec's XML, and Open311 errors in either."""

import json
import re
import xml.etree.ElementTree as ET

from flask import Response

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}

# The spec's XML names each list item after its container: <services><service>…
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all, even escaped; SMS text sometimes has them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value):
    """Spell a scalar the way the spec's XML examples do."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element, value):
    """Add VALUE (a dict, list or scalar) under ELEMENT."""
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root_tag, value):
    """Serialise VALUE under ROOT_TAG as UTF-8 XML bytes with a declaration."""
    root = ET.Element(root_tag)
    _fill(root, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render(value, fmt, root_tag, status=200, headers=None):
    """Return a response with VALUE as JSON, or as XML under ROOT_TAG."""
    if fmt == "xml":
        body = to_xml(root_tag, value)
    else:
        body = json.dumps(value, ensure_ascii=False)
    return Response(
        body,
        status=status,
        headers=headers,
        content_type=f"{MIMETYPES.get(fmt, MIMETYPES['json'])}; charset=utf-8",
    )


def error(status, description, fmt="json"):
    """Return an Open311 error list, [{"code": …, "description": …}], with that HTTP status."""
    return render([{"code": status, "description": description}], fmt, "errors", status=status)
