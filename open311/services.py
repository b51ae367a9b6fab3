"""The Open311 service list: a home visit, a question, and each procedure of the catalogue."""

from app import lifecycle
from app.catalogue import guidance, hamlets
from app.language import keywords

VISIT_SERVICE = {
    "service_code": lifecycle.VISIT_SERVICE_CODE,
    "service_name": "Yêu cầu cán bộ đến nhà",
    "description": (
        "Tổ lưu động của xã đến nhà người cao tuổi trong chuyến kế tiếp tới ấp để giúp làm thủ "
        "tục. Home visit by the commune's mobile team on its next trip to the hamlet."
    ),
    # The words residents text for it, so the API's tags are the SMS keywords.
    "keywords": ",".join(keywords.keywords_for(keywords.VISIT)),
    "group": "Đến nhà",
}
QUESTION_SERVICE = {
    "service_code": lifecycle.QUESTION_SERVICE_CODE,
    "service_name": "Câu hỏi cho cán bộ xã",
    "description": (
        "Câu hỏi hoặc lời nhắn để cán bộ xã gọi lại hoặc nhắn tin trả lời. "
        "A question that commune staff answer by phone or SMS."
    ),
    "keywords": ",".join(keywords.keywords_for(keywords.QUESTION)),
    "group": "Hỏi đáp",
}
PROCEDURE_GROUP = "Thủ tục"
YES_NO_VALUES = [{"key": "yes", "name": "Có (yes)"}, {"key": "no", "name": "Không (no)"}]
FLAGS = {
    "age_75_plus": "Người từ 75 tuổi trở lên? (aged 75 or over)",
    "lives_alone": "Sống một mình? (lives alone)",
    "limited_mobility": "Đi lại khó khăn? (limited mobility)",
}


def _service(base):
    """Complete a service entry with the fields every service shares."""
    return {**base, "metadata": True, "type": "realtime"}


def _procedure_service(procedure):
    """Describe a guidance procedure as an Open311 service."""
    return _service(
        {
            "service_code": procedure["code"],
            "service_name": procedure["name"],
            "description": procedure["summary"] or procedure["name"],
            "keywords": ",".join(procedure["synonyms"]),
            "group": PROCEDURE_GROUP,
        }
    )


def services(db):
    """Return the service list: the home visit, a question, then each active procedure."""
    return [_service(VISIT_SERVICE), _service(QUESTION_SERVICE)] + [
        _procedure_service(procedure) for procedure in guidance.all_procedures(db)
    ]


def find_service(db, code, include_inactive=False):
    """Return (kind, service) for a service code (any case), or None."""
    code = str(code or "").strip().upper()
    if code == lifecycle.VISIT_SERVICE_CODE:
        return lifecycle.VISIT, _service(VISIT_SERVICE)
    if code == lifecycle.QUESTION_SERVICE_CODE:
        return lifecycle.QUESTION, _service(QUESTION_SERVICE)
    procedure = guidance.get(db, code) if code else None
    if procedure and (procedure["active"] or include_inactive):
        return lifecycle.QUESTION, _procedure_service(procedure)
    return None


def _hamlet_attribute(db, required):
    """The hamlet attribute: a list of the active hamlets by code."""
    return {
        "variable": True,
        "code": "hamlet",
        "datatype": "singlevaluelist",
        "required": required,
        "datatype_description": "Mã ấp (hamlet code); address_string may name the hamlet instead.",
        "order": 1,
        "description": "Ấp nơi người dân sống (the resident's hamlet)",
        "values": [{"key": row["code"], "name": row["name"]} for row in hamlets.active(db)],
    }


def service_definition(db, code):
    """Return the definition (attributes) of a service, or None if there is no such service."""
    found = find_service(db, code)
    if not found:
        return None
    kind, service = found
    attributes = [_hamlet_attribute(db, required=kind == lifecycle.VISIT)]
    if kind == lifecycle.VISIT:
        attributes.append(
            {
                "variable": True,
                "code": "reason",
                "datatype": "text",
                "required": False,
                "datatype_description": "Free text, up to 4000 characters.",
                "order": 2,
                "description": "Lý do cần đến nhà (why a home visit is needed)",
                "values": [],
            }
        )
        for order, (code_, description) in enumerate(FLAGS.items(), start=3):
            attributes.append(
                {
                    "variable": True,
                    "code": code_,
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": "yes or no; a yes gives the visit priority.",
                    "order": order,
                    "description": description,
                    "values": YES_NO_VALUES,
                }
            )
    return {"service_code": service["service_code"], "attributes": attributes}
