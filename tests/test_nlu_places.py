"""Places: hamlet aliases kept in the console, former communes, unknown places in a visit."""

from app import residents
from app.catalogue import hamlets, place_names

PHONE = "+84912000555"


def _requests(db):
    resident = residents.by_phone(db, PHONE)
    return list(db["requests"].rows_where("resident_id = ?", [resident["id"]], order_by="id"))


def _hamlet(db, code):
    return next(iter(db["hamlets"].rows_where("code = ?", [code])))


def test_an_unknown_place_is_read_from_the_words_after_ap_or_xom():
    assert place_names.unknown_place("xin can bo ghe nha o ap Binh Thanh") == "Binh Thanh"
    assert place_names.unknown_place("Nhà tôi ở xóm Rạch Gòi, nhờ cán bộ") == "Rach Goi"
    assert place_names.unknown_place("ap Cay Da xin can bo toi nha") == "Cay Da"
    assert place_names.unknown_place("xin can bo den nha") is None


def test_a_former_commune_is_named_but_a_hamlet_with_its_number_is_not(db):
    assert place_names.former_commune(db, "toi o ben Phu Long cu") == "Phú Long"
    assert place_names.former_commune(db, "nha toi o xa Long Hoa") == "Long Hòa"
    assert place_names.former_commune(db, "nha toi o Long Hoa 1") is None
    assert place_names.former_commune(db, "xa Phu Lam") is None  # today's commune


def test_a_former_commune_narrows_the_hamlet_menu_to_its_hamlets(text_in, db):
    (menu,) = text_in("xin can bo den nha, nha toi o ben Phu Long", phone=PHONE)
    assert "1=Phu Dong" in menu and "Long Hau" in menu and "Phu Tay" in menu
    assert "Phu Hoa A" not in menu and "Tan Phu" not in menu
    (reply,) = text_in("2", phone=PHONE)
    (visit,) = _requests(db)
    assert visit["hamlet_id"] == _hamlet(db, "LONGHAU")["id"] and visit["ref"] in reply


def test_an_unknown_place_books_through_the_menu_and_is_suggested_to_staff(
    text_in, admin_client, db
):
    text_in("xin hen can bo den nha, nha toi o ap Binh Thanh", phone=PHONE)
    text_in("5", phone=PHONE)  # the fifth hamlet of the full menu: Phú Lợi
    (visit,) = _requests(db)
    assert visit["kind"] == "visit" and visit["hamlet_id"] == _hamlet(db, "PHULOI")["id"]
    (suggested,) = place_names.aliases(db, place_names.SUGGESTED)
    assert (suggested["alias"], suggested["hamlet_code"]) == ("Binh Thanh", "PHULOI")
    page = admin_client.get("/settings").get_data(as_text=True)
    assert "Binh Thanh" in page
    # Staff keep it: from now on "ấp Bình Thạnh" is read as Phú Lợi.
    response = admin_client.post(f"/settings/aliases/{suggested['id']}/accept")
    assert response.status_code == 302
    found, _rest = hamlets.find_in_text(db, "lich ap binh thanh")
    assert found["code"] == "PHULOI"


def test_an_alias_staff_add_is_found_like_the_hamlet_name(text_in, admin_client, db):
    long_hau = _hamlet(db, "LONGHAU")
    response = admin_client.post(
        f"/settings/hamlets/{long_hau['id']}/aliases", data={"alias": "Xóm Cầu Đình"}
    )
    assert response.status_code == 302
    text_in("xin can bo den nha toi o xom cau dinh", phone=PHONE)
    (visit,) = _requests(db)
    assert visit["hamlet_id"] == long_hau["id"]


def test_a_removed_alias_is_no_longer_found(admin_client, db):
    long_hau = _hamlet(db, "LONGHAU")
    admin_client.post(f"/settings/hamlets/{long_hau['id']}/aliases", data={"alias": "Xom Moi"})
    (alias,) = place_names.aliases(db)
    assert hamlets.find_in_text(db, "o xom moi")[0]["code"] == "LONGHAU"
    admin_client.post(f"/settings/aliases/{alias['id']}/remove")
    assert hamlets.find_in_text(db, "o xom moi")[0] is None


def test_alias_routes_refuse_unknown_targets(admin_client):
    assert admin_client.post("/settings/hamlets/99999/aliases", data={"alias": "x"}).status_code
    assert admin_client.post("/settings/aliases/99999/accept").status_code == 404
    assert admin_client.post("/settings/aliases/1/explode").status_code == 404
