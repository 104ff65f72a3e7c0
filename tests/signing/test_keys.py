"""Adding, replacing and retiring a body's key through the API and the pages: admins only; refused with a reason
(wrong password, expired certificate, key not matching) and nothing kept; the private key, password and PIN never
come back out (API, pages, audit trail)."""
from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.signing import pki
from app.signing.models import SigningKey
from tests.helpers import api_token, sign_in
from tests.signing.conftest import PASSWORD


def _admin(client, make_user) -> dict:  # noqa: ANN001
    admin = make_user("admin")
    return {"Authorization": f"Bearer {api_token(client, admin.username)}"}


def _upload(client, h, body_id, data, password=PASSWORD):  # noqa: ANN001, ANN202
    return client.post(f"/api/v1/issuers/{body_id}/signing-keys/pkcs12", headers=h,
                       files={"file": ("khoa.p12", data, "application/x-pkcs12")}, data={"password": password})


def test_an_admin_adds_a_pkcs12_key_and_it_never_comes_back_out(client, db, make_user, body, p12, body_key):  # noqa: ANN001
    h = _admin(client, make_user)
    r = _upload(client, h, body.id, p12)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["subject"] == "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh" and out["active"] and out["kind"] == "file"
    assert out["issuer"] == "Test CA Năng Lực"
    assert "sealed_key" not in out and "password" not in json.dumps(out)
    listed = client.get(f"/api/v1/issuers/{body.id}/signing-keys", headers=h).json()
    assert [k["id"] for k in listed] == [out["id"]]
    key = db.get(SigningKey, out["id"])
    der = body_key.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    assert key.sealed_key and der not in key.sealed_key and der[40:80] not in key.sealed_key  # sealed, not stored
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "signing.key_add")).all()
    assert len(events) == 1
    trail = json.dumps(events[0].changes, ensure_ascii=False)
    assert PASSWORD not in trail and "PRIVATE" not in trail and key.fingerprint in trail


def test_organisers_and_trainees_may_not_touch_keys(client, make_user, body, p12):  # noqa: ANN001
    for role in ("organiser", "trainee"):
        user = make_user(role, unit="24")
        h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
        assert _upload(client, h, body.id, p12).status_code == 403
        assert client.get(f"/api/v1/issuers/{body.id}/signing-keys", headers=h).status_code == 403


def test_a_wrong_password_is_refused_and_nothing_kept(client, db, make_user, body, p12):  # noqa: ANN001
    h = _admin(client, make_user)
    r = _upload(client, h, body.id, p12, password="sai-mat-khau")
    assert r.status_code == 422 and r.json()["code"] == "wrong_password" and r.json()["field"] == "password"
    assert "sai-mat-khau" not in r.text
    assert db.scalar(select(func.count()).select_from(SigningKey)) == 0


def test_an_expired_certificate_is_refused(client, db, make_user, body, expired_p12):  # noqa: ANN001
    r = _upload(client, _admin(client, make_user), body.id, expired_p12)
    assert r.status_code == 422 and r.json()["code"] == "certificate_expired"
    assert db.scalar(select(func.count()).select_from(SigningKey)) == 0


def test_a_key_that_does_not_match_the_certificate_is_refused(client, db, make_user, body, ca, body_key):  # noqa: ANN001
    other = pki.make_signer(ca, "Người khác")
    # a file whose key is not paired with a certificate, holding someone else's certificate
    data = pkcs12.serialize_key_and_certificates(b"x", other.key, None, [body_key.cert, ca.cert],
                                                 serialization.BestAvailableEncryption(PASSWORD.encode()))
    r = _upload(client, _admin(client, make_user), body.id, data)
    assert r.status_code == 422 and r.json()["code"] == "key_mismatch"
    assert db.scalar(select(func.count()).select_from(SigningKey)) == 0


def test_a_ca_certificate_and_a_file_that_is_not_pkcs12_are_refused(client, make_user, body, ca):  # noqa: ANN001
    h = _admin(client, make_user)
    as_signer = pkcs12.serialize_key_and_certificates(b"x", ca.key, ca.cert, None,
                                                      serialization.BestAvailableEncryption(PASSWORD.encode()))
    assert _upload(client, h, body.id, as_signer).json()["code"] == "certificate_is_ca"
    assert _upload(client, h, body.id, b"%PDF-1.7 not a key").json()["code"] == "wrong_password"
    assert _upload(client, h, body.id, b"").json()["code"] == "file_required"


def test_replacing_a_key_retires_the_old_one(client, db, make_user, body, p12, ca):  # noqa: ANN001
    h = _admin(client, make_user)
    first = _upload(client, h, body.id, p12).json()
    renewed = pki.to_pkcs12(pki.make_signer(ca, "Sở Văn hóa (chứng thư mới)"), [ca.cert], PASSWORD.encode())
    second = _upload(client, h, body.id, renewed).json()
    listed = client.get(f"/api/v1/issuers/{body.id}/signing-keys", headers=h).json()
    assert [(k["id"], k["active"]) for k in listed] == [(second["id"], True), (first["id"], False)]
    assert listed[1]["retired_at"] is not None
    retired = client.post(f"/api/v1/signing-keys/{second['id']}/retire", headers=h)
    assert retired.status_code == 200 and retired.json()["active"] is False
    again = client.post(f"/api/v1/signing-keys/{second['id']}/retire", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "already_retired"


def test_the_key_pages_add_refuse_and_retire(client, db, make_user, body, p12):  # noqa: ANN001
    admin = make_user("admin")
    sign_in(client, admin.username)
    csrf = client.cookies.get("nangluc_csrf")
    page = client.get(f"/issuers/{body.id}/signing")
    assert page.status_code == 200 and "chưa có khoá ký số" in page.text
    assert body.name in client.get("/signing").text
    bad = client.post(f"/issuers/{body.id}/signing/pkcs12", data={"csrf_token": csrf, "password": "sai"},
                      files={"file": ("k.p12", p12, "application/x-pkcs12")})
    assert bad.status_code == 200 and "sai mật khẩu" in bad.text
    assert db.scalar(select(func.count()).select_from(SigningKey)) == 0
    ok = client.post(f"/issuers/{body.id}/signing/pkcs12", data={"csrf_token": csrf, "password": PASSWORD},
                     files={"file": ("k.p12", p12, "application/x-pkcs12")})
    assert ok.status_code == 200 and "Đang dùng" in ok.text and PASSWORD not in ok.text
    key = db.scalar(select(SigningKey))
    token = client.post(f"/issuers/{body.id}/signing/token",
                        data={"csrf_token": csrf, "module": "/nonexistent/libpkcs11.so", "key_label": "k"})
    assert "Không tìm thấy thư viện PKCS#11" in token.text
    gone = client.post(f"/signing-keys/{key.id}/retire", data={"csrf_token": csrf})
    assert gone.status_code == 200 and "Đã thôi dùng" in gone.text
