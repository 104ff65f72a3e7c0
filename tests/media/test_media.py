"""The media-products register: record, list and filter, correct (audited), remove; refusals in Vietnamese naming
the field; each organiser sees and writes only inside their unit."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.curricula import service as curricula
from tests.helpers import api_token, sign_in

BODY = {"kind": "radio_programme", "title": "Gương sáng thoát nghèo ở Tân Dĩnh", "producer_kind": "commune_radio",
        "producer_name": "Đài truyền thanh xã Tân Dĩnh", "unit": "07432", "produced_on": "2026-02-01",
        "published_on": "2026-02-03", "channel": "commune_radio", "topics": ["exemplary_people", "poverty_models"],
        "rebroadcast_count": 3, "links": [{"url": "https://example.org/tan-dinh", "label": "Bản ghi"}],
        "budget_lines": [{"category": "production", "planned_amount": 1500000, "actual_amount": 1200000,
                          "funding_source": "local"}]}


def _headers(client, make_user, unit="24"):  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, make_user('organiser', unit=unit).username)}"}


def test_record_read_correct_and_remove_through_the_api(client, db, make_user):
    h = _headers(client, make_user)
    created = client.post("/api/v1/media", json=BODY, headers=h)
    assert created.status_code == 201, created.text
    m = created.json()
    assert m["unit_name"] == "Xã Tân Dĩnh" and m["kind_label"] == "Chương trình phát thanh"
    assert sorted(m["topics"]) == ["exemplary_people", "poverty_models"] and m["links"][0]["label"] == "Bản ghi"
    changed = client.put(f"/api/v1/media/{m['id']}", json={**BODY, "rebroadcast_count": 5, "topics": ["other"]},
                         headers=h)
    assert changed.status_code == 200 and changed.json()["rebroadcast_count"] == 5
    event = db.query(AuditEvent).filter(AuditEvent.action == "media.update").one()
    assert event.changes["rebroadcast_count"] == [3, 5]
    assert event.changes["topics"] == [["exemplary_people", "poverty_models"], ["other"]]
    listed = client.get("/api/v1/media", params={"topic": "other"}, headers=h).json()
    assert listed["total"] == 1
    assert client.get("/api/v1/media", params={"kind": "tv_segment"}, headers=h).json()["total"] == 0
    assert client.delete(f"/api/v1/media/{m['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/media/{m['id']}", headers=h).status_code == 404
    assert client.get("/api/v1/media", headers=h).json()["total"] == 0


def test_every_problem_is_named_in_vietnamese_and_nothing_is_saved(client, make_user):
    h = _headers(client, make_user)
    future = (date.today() + timedelta(days=30)).isoformat()
    bad = {**BODY, "kind": "podcast", "title": " ", "topics": [], "produced_on": future,
           "links": [{"url": "javascript:alert(1)"}], "rebroadcast_count": -1}
    response = client.post("/api/v1/media", json=bad, headers=h)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "media_invalid" and body["field"] == "kind"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["kind"] == "Hãy chọn loại sản phẩm trong danh mục."
    assert messages["title"] == "Cần nhập tên sản phẩm."
    assert messages["produced_on"] == "Ngày sản xuất không được sau hôm nay."
    assert messages["topics"].startswith("Chọn ít nhất một chủ đề")
    assert messages["links"].startswith("Đường dẫn phải bắt đầu bằng http:// hoặc https://")
    assert messages["rebroadcast_count"] == "Số lần phát lại phải từ 0 đến 10000."
    early = client.post("/api/v1/media", json={**BODY, "published_on": "2026-01-01"}, headers=h).json()
    assert early["errors"][0]["message"] == "Ngày phát sóng/đăng tải không được trước ngày sản xuất."
    assert client.get("/api/v1/media", headers=h).json()["total"] == 0


def test_scope_a_commune_organiser_cannot_see_or_write_elsewhere(client, make_user):
    province = _headers(client, make_user, "24")
    m = client.post("/api/v1/media", json=BODY, headers=province).json()
    neighbour = _headers(client, make_user, "07210")
    assert client.get(f"/api/v1/media/{m['id']}", headers=neighbour).status_code == 404
    assert client.get("/api/v1/media", headers=neighbour).json()["total"] == 0
    refused = client.post("/api/v1/media", json=BODY, headers=neighbour)
    assert refused.status_code == 403 and "nằm ngoài đơn vị" in refused.json()["detail"]
    own = client.get("/api/v1/media", headers=_headers(client, make_user, "07432")).json()
    assert own["total"] == 1
    hanoi = client.post("/api/v1/media", json={**BODY, "unit": "00004"}, headers=province)
    assert hanoi.status_code == 403


def test_pages_record_with_the_form_show_errors_by_field_and_edit(client, db, make_user):
    curricula.sync(db, Principal.system("t"))
    user = make_user("organiser", unit="24")
    sign_in(client, user.username)
    csrf = client.cookies.get("nangluc_csrf")
    form = {"csrf_token": csrf, "kind": "report", "title": "", "producer_kind": "press_agency",
            "producer_name": "Báo Bắc Ninh", "unit": "24", "produced_on": "2026-13-01", "channel": "print",
            "topics": ["good_initiatives"], "rebroadcast_count": "0", "links": "",
            "category_0": "royalties", "funding_source_0": "central", "planned_amount_0": "2.000.000"}
    refused = client.post("/media", data=form)
    assert refused.status_code == 422
    assert 'id="error-produced_on"' in refused.text and "Ngày sản xuất không hợp lệ: “2026-13-01”." in refused.text
    assert 'id="error-title"' in refused.text and "Cần nhập tên sản phẩm." in refused.text
    assert 'value="Báo Bắc Ninh"' in refused.text  # what was typed stays in the form
    saved = client.post("/media", data={**form, "title": "Phóng sự: cánh đồng mẫu lớn", "produced_on": "2026-03-02",
                                         "links": "Bài đăng | https://baobacninh.vn/x"}, follow_redirects=False)
    assert saved.status_code == 303
    detail = client.get(saved.headers["location"])
    assert "Phóng sự: cánh đồng mẫu lớn" in detail.text and "2.000.000" in detail.text and "Bài đăng" in detail.text
    media_id = saved.headers["location"].rsplit("/", 1)[1]
    edit = client.get(f"/media/{media_id}/edit")
    assert edit.status_code == 200 and "Phóng sự: cánh đồng mẫu lớn" in edit.text
    client.post(f"/media/{media_id}", data={**form, "title": "Phóng sự đã sửa", "produced_on": "2026-03-02"})
    listing = client.get("/media?q=đã sửa")
    assert "Phóng sự đã sửa" in listing.text and "1 sản phẩm" in listing.text
    assert "Sửa tin bài" in client.get(f"/media/{media_id}").text  # the history, in words (app/audit/labels.py)
    report = client.get("/reports?period=2026")
    assert 'id="kpi-media">1<' in report.text
    removed = client.post(f"/media/{media_id}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert removed.status_code == 303
    assert "Phóng sự đã sửa" not in client.get("/media").text
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "media.delete",
                                                                        AuditEvent.entity_id == media_id)) == 1
