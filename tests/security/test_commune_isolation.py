"""Commune isolation, tested as an attacker: a member of commune B walks every route with A's ids.

The routes come from app.url_map, so a new route is walked without anyone adding it here; a
route that is not walked must be listed in NOT_WALKED with the reason, or the test fails.
Every answer must be a 404 or a 403, or a page that shows nothing of A, and no row of A may
change.
"""

import re

import pytest

from tests.security.communes import (
    A_NAME,
    A_PHONE,
    A_REF,
    B_NAME,
    PHONE_ECHOES,
    add_province_reader,
    build_commune_a,
    build_commune_b,
    csrf_of,
    join,
    leaks,
    sign_in,
    snapshot,
)

# Routes the walk leaves out, each with why no commune's data can come out of it.
NOT_WALKED = {
    "static": "files shipped with the app, the same for every commune",
    "staff.login": "the sign-in form; it reads no commune's rows",
    "staff.logout": "ends the session (walking it would sign the attacker out); reads nothing",
    "staff.password": "the officer's own password; reads no commune's rows",
    "staff.field_service_worker": "a static script served from /trips/ for its scope",
}
# Provider webhooks prove themselves by signature and find their commune by the number called
# (a number no commune owns is a 404); the routing tests of the SMS and voice channels cover them.
WEBHOOK_BLUEPRINTS = {"sms", "voice"}
# Routes whose body is JSON (the field phone's sync and the simulator's script).
JSON_BLUEPRINTS = {"simulator"}
JSON_ENDPOINTS = {"staff.trip_field_result"}
CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


@pytest.fixture
def province(app, store):
    """Communes A and B, the simulator on, errors answered as a visitor would get them."""
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["SIMULATOR"] = True
    a = build_commune_a(store)
    b = build_commune_b(store)
    return a, b


def walked(app):
    """Every rule the walk covers, with its methods; the rest must be in NOT_WALKED."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        if rule.endpoint in NOT_WALKED or rule.endpoint.split(".")[0] in WEBHOOK_BLUEPRINTS:
            continue
        yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def paths(rule, a):
    """The rule's paths filled with A's ids (one per format for Open311's json/xml)."""
    open311 = rule.endpoint.startswith("open311.")
    values = {
        "request_id": A_REF if open311 else a.request_id,
        "resident_id": a.resident_id,
        "trip_id": a.trip_id,
        "hamlet_id": a.hamlet_id,
        "rule_id": a.rule_id,
        "key_id": a.key_id,
        "user_id": a.user_id,
        "message_id": a.message_id,
        "outbox_id": a.outbox_id,
        "follow_up_id": a.follow_up_id,
        "field": "age",
        # A procedure's code, or for a report A's own commune code.
        "code": a.commune.code
        if rule.endpoint.startswith("staff.report") or "report" in rule.rule
        else "KHAISINH",
        "month": "2026-11",
        "key": "greeting",
        "alias_id": 1,
        "action": "accept",
        "name": "report.csv" if "report" in rule.rule else "RE" + "a" * 32,
        "rest": f"requests/{A_REF}.json",
    }
    formats = ["json", "xml"] if "<any(" in rule.rule else [None]
    found = []
    for fmt in formats:

        def fill(match, fmt=fmt):
            converter, _options, name = match.groups()
            if converter == "any":
                return fmt
            assert name in values, f"no value of A for <{name}> in {rule.rule}: add one"
            return str(values[name])

        found.append(CONVERTER.sub(fill, rule.rule))
    return found


def query(a, b, open311):
    """Query arguments pointing at A: a search for A's resident, A's trip and hamlet."""
    # Only part of A's name: a page that says the search back must not look like a leak.
    args = {"q": "Ngoc An", "phone": A_PHONE, "trip": a.trip_id, "hamlet": a.hamlet_id}
    if open311:
        args.update(api_key=b.api_key, service_request_id=A_REF)
    return args


def form(a, token):
    """A form that names A's rows in every field a console form has."""
    return {
        "csrf_token": token,
        "trip_id": a.trip_id,
        "hamlet_id": a.hamlet_id,
        "hamlet_ids": a.hamlet_id,
        "rule_ids": a.rule_id,
        "request_id": a.request_id,
        "commune_id": a.commune.id,
        "phone": A_PHONE,
        "name": "Tấn công",
        "note": "attack",
        "answer": "attack",
        "confirmed": "1",
        "confirm": "1",
        f"result-{a.request_id}": "visited",
        "intent": "question",
        "kind": "question",
        "description": "attack",
        "service_code": "VISIT",
        "active": "1",
        "role": "staff",
        "weekday": "1",
        "session": "morning",
        "start_time": "07:30",
        "end_time": "11:00",
        "capacity": "5",
        "lang": "vi",
        "body": f"XEM {A_REF}",
    }


def json_body(a):
    """The JSON a phone or the simulator's script sends, naming A's rows."""
    return {
        "request_id": a.request_id,
        "key": "attack-field-key-01",
        "result": "note",
        "note": "attack",
        "phone": A_PHONE,
        # From A's resident's phone to B's number: "what are my requests?"
        "body": "XEM",
        "call_sid": "CA" + "a" * 32,
        "path": "/voice/menu",
        "digits": "1",
    }


def call(client, rule, method, path, a, b, token):
    """Send one attacking request; return the response."""
    blueprint = rule.endpoint.split(".")[0]
    if method == "GET":
        return client.get(path, query_string=query(a, b, blueprint == "open311"))
    if method == "GET (plain)":
        return client.get(
            path, query_string={"api_key": b.api_key} if blueprint == "open311" else {}
        )
    headers = {"X-CSRFToken": token}
    if blueprint == "open311":
        data = {"api_key": b.api_key, "service_code": "VISIT", "phone": A_PHONE}
        return client.open(path, method=method, data=data)
    if blueprint in JSON_BLUEPRINTS or rule.endpoint in JSON_ENDPOINTS:
        return client.open(path, method=method, json=json_body(a), headers=headers)
    return client.open(path, method=method, data=form(a, token), headers=headers)


def walk(app, client, a, b):
    """Every route, every method, with A's ids; return [(method, path, status, body)]."""
    token = csrf_of(client.get("/requests/new"))
    answers = []
    for rule, methods in walked(app):
        # A GET goes twice: with A's ids and search words, and plain (a whole list).
        for method in methods + (["GET (plain)"] if "GET" in methods else []):
            for path in paths(rule, a):
                response = call(client, rule, method, path, a, b, token)
                answers.append(
                    (method, path, response.status_code, response.get_data(as_text=True))
                )
    return answers


def test_every_route_is_walked_or_listed_with_a_reason(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(NOT_WALKED) <= endpoints, "a listed route no longer exists"
    listed = {endpoint for endpoint in endpoints if endpoint in NOT_WALKED}
    webhooks = {e for e in endpoints if e.split(".")[0] in WEBHOOK_BLUEPRINTS}
    assert {rule.endpoint for rule, _methods in walked(app)} == endpoints - listed - webhooks


def test_a_member_of_b_gets_nothing_of_a_from_any_route(app, store, province):
    a, b = province
    before = snapshot(app.config["DATABASE_PATH"], a.commune)
    client = sign_in(app, "betaadmin")
    answers = walk(app, client, a, b)
    assert len(answers) > 60
    problems = [
        (method, path, status, leaks(body, PHONE_ECHOES))
        for method, path, status, body in answers
        if status >= 500 or (status not in (403, 404) and leaks(body, PHONE_ECHOES))
    ]
    assert problems == [], "\n".join(map(str, problems))
    assert snapshot(app.config["DATABASE_PATH"], a.commune) == before, "a row of A changed"


def test_the_walk_sees_what_it_would_leak(app, store, province):
    # The same walk as a member of A finds A's secrets, so the check above can fail.
    a, b = province
    client = sign_in(app, "alphaadmin")
    answers = walk(app, client, a, b)
    found = {name for _m, _p, _s, body in answers for name in leaks(body, PHONE_ECHOES)}
    assert {"resident name", "visit reference", "SMS words", "failed reply words"} <= found


def test_lists_and_searches_of_b_show_b_and_nothing_of_a(app, store, province):
    a, b = province
    client = sign_in(app, "betastaff")
    searches = {
        "queue search": ("/", A_NAME),
        "queue search by reference": ("/", A_REF),
        "queue search by phone": ("/", "0912555001"),
        "resident search": ("/residents", "Ngoc An"),
        "resident search by phone": ("/residents", A_PHONE),
    }
    pages = {
        name: client.get(path, query_string={"q": text}) for name, (path, text) in searches.items()
    }
    pages.update(
        {
            "queue": client.get("/"),
            "closed requests": client.get("/", query_string={"status": "visited"}),
            "residents": client.get("/residents"),
            "messages": client.get("/messages"),
            "failed messages": client.get("/messages", query_string={"failed": "1"}),
            "trips": client.get("/trips"),
            "numbers": client.get("/stats"),
        }
    )
    for name, page in pages.items():
        body = page.get_data(as_text=True)
        assert page.status_code == 200, name
        # A search box says back what was searched; what it found is what must be B's.
        echo = searches.get(name, (None, ""))[1]
        assert leaks(body, [echo] if echo else []) == [], name
        assert f"/requests/{a.request_id}" not in body, name
        assert f"/residents/{a.resident_id}" not in body, name
    assert B_NAME in pages["queue"].get_data(as_text=True)
    assert B_NAME in pages["residents"].get_data(as_text=True)


def test_the_province_reads_a_but_every_state_changing_post_is_refused(app, store, province):
    a, b = province
    reader = add_province_reader(store)
    client = sign_in(app, "tinh")
    token = csrf_of(client.get("/"))
    assert (
        client.post("/commune", data={"commune_id": a.commune.id, "csrf_token": token}).status_code
        == 302
    )
    page = client.get(f"/requests/{a.request_id}")
    assert page.status_code == 200
    assert A_NAME in page.get_data(as_text=True)
    refused = []
    for rule, methods in walked(app):
        if rule.endpoint.split(".")[0] not in ("staff", "simulator") or rule.endpoint in (
            "staff.language",
            "staff.switch_commune",
        ):
            continue
        for method in set(methods) - {"GET"}:
            for path in paths(rule, a):
                # A small valid form, so no size or field limit answers before the role does.
                response = client.open(
                    path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
                )
                refused.append((method, path, response.status_code))
    assert refused and all(status == 403 for _m, _p, status in refused), [
        answer for answer in refused if answer[2] != 403
    ]
    reads = store.execute(
        "SELECT count(*) FROM audit_log WHERE commune_id = ? AND action = 'province_read'"
        " AND actor = 'tinh'",
        [a.commune.id],
    ).fetchone()[0]
    assert reads >= 2
    # A member's role where the reader is also a member: there it acts.
    join(store, reader["id"], b.commune, "staff")
    client.post("/commune", data={"commune_id": b.commune.id, "csrf_token": token})
    answer = client.post(f"/requests/{b.request_id}/attention/clear", data={"csrf_token": token})
    assert answer.status_code == 302


def test_the_simulator_texts_the_open_communes_number_and_a_code_of_a_is_unknown(
    app, store, province
):
    a, b = province
    client = sign_in(app, "betastaff")
    token = csrf_of(client.get("/requests/new"))
    answer = client.post(
        "/simulator/api/sms",
        json={"phone": A_PHONE, "body": f"XEM {A_REF}"},
        headers={"X-CSRFToken": token},
    )
    (reply,) = answer.get_json()["replies"]
    assert reply.startswith("Xa Ben Go: Khong thay yeu cau ma 48151"), reply
    stored = store.execute(
        "SELECT DISTINCT commune_id FROM messages WHERE body LIKE '%48151%'"
    ).fetchall()
    assert stored == [(b.commune.id,)]
