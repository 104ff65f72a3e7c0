"""People get a friendly Vietnamese page, programs get JSON, and nobody gets a traceback."""
from __future__ import annotations

from fastapi.testclient import TestClient

from app.auth.permissions import Public
from tests.helpers import sign_in


def test_unknown_page_is_a_friendly_vietnamese_404(client, make_user):
    sign_in(client, make_user("trainee", unit="07432").username)
    response = client.get("/khong-co-trang-nay", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text and "<html" in response.text


def test_unknown_api_path_is_json_404(client, make_user):
    from tests.helpers import api_token

    token = api_token(client, make_user("admin").username)
    response = client.get("/api/v1/khong-co", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bad_api_input_names_the_field(client, make_user):
    from tests.helpers import api_token

    token = api_token(client, make_user("admin").username)
    response = client.post("/api/v1/users", headers={"Authorization": f"Bearer {token}"},
                           json={"username": "x1", "password": "Mot-mat-khau-dai", "role": "emperor"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input" and response.json()["field"] == "role"


def test_an_unexpected_error_is_a_friendly_500_without_details(app):
    @app.get("/boom")
    def boom(_: Public) -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/boom", headers={"Accept": "text/html"})
        api = c.get("/boom", headers={"Accept": "application/json"})
    assert page.status_code == 500 and "Đã có lỗi ngoài ý muốn" in page.text
    assert "secret internals" not in page.text
    assert api.status_code == 500 and api.json()["code"] == "internal_error"
    assert "secret internals" not in api.text
