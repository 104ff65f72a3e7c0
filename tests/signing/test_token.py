"""The PKCS#11 path against a real token (SoftHSM2): an admin points a body at the token's key, certificates are
signed by the token, and the PIN (read from the environment) appears nowhere: not in the database, the audit
trail, the API's answers, the logs or a backup."""
from __future__ import annotations

import json
import logging

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.signing import engine, pki
from app.signing.models import SigningKey
from tests.helpers import api_token


def _h(client, user) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def test_certificates_are_signed_by_the_token_and_the_pin_is_nowhere(
        client, db, make_user, finished, body, token, ca, monkeypatch, caplog):  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("NANGLUC_PKCS11_PIN_TEST", token.pin)
    admin = make_user("admin")
    h = _h(client, admin)
    config = {"module": token.module, "token_label": token.token_label, "key_label": token.key_label,
              "pin_env": "NANGLUC_PKCS11_PIN_TEST", "chain_pem": pki.cert_pem(ca.cert).decode()}
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/token", headers=h, json=config)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["kind"] == "token" and out["subject"] == "Sở VHTTDL Bắc Ninh (token)" and out["issuer"] == ca.cert \
        .subject.rfc4514_string().split("CN=")[1].split(",")[0]
    finished["course"].issuing_body_id = body.id
    db.flush()
    issued = client.post(f"/api/v1/courses/{finished['course'].id}/certificates",
                         headers=_h(client, finished["organiser"]), json={})
    assert issued.status_code == 200, issued.text
    for c in issued.json()["issued"]:
        pdf = certificates.pdf_bytes(db.get(Certificate, c["id"]))
        [check] = engine.check_pdf(pdf, [ca.cert])
        assert check.valid and check.signer == "Sở VHTTDL Bắc Ninh (token)"
    key = db.scalar(select(SigningKey).where(SigningKey.id == out["id"]))
    assert key.sealed_key is None and key.pin_env == "NANGLUC_PKCS11_PIN_TEST"
    stored = json.dumps([{c.name: str(getattr(k, c.name)) for c in SigningKey.__table__.columns}
                         for k in db.scalars(select(SigningKey))])
    trail = json.dumps([e.changes for e in db.scalars(select(AuditEvent))], ensure_ascii=False)
    for place in (stored, trail, r.text, issued.text, caplog.text):
        assert token.pin not in place


def test_a_wrong_pin_or_label_is_refused_with_a_reason(client, db, make_user, body, token, monkeypatch):  # noqa: ANN001
    h = _h(client, make_user("admin"))
    base = {"module": token.module, "token_label": token.token_label, "key_label": token.key_label,
            "pin_env": "NANGLUC_PKCS11_PIN_TEST"}
    monkeypatch.delenv("NANGLUC_PKCS11_PIN_TEST", raising=False)
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/token", headers=h, json=base)
    assert r.status_code == 422 and r.json()["code"] == "pin_missing"
    monkeypatch.setenv("NANGLUC_PKCS11_PIN_TEST", "000000")
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/token", headers=h, json=base)
    assert r.status_code == 422 and r.json()["code"] == "token_unavailable" and "000000" not in r.text
    monkeypatch.setenv("NANGLUC_PKCS11_PIN_TEST", token.pin)
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/token", headers=h, json={**base, "key_label": "khac"})
    assert r.status_code == 422 and r.json()["code"] == "key_not_found"
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/token", headers=h,
                    json={**base, "pin_env": "pin; rm -rf /"})
    assert r.status_code == 422 and r.json()["code"] == "pin_env_invalid"
    assert db.scalar(select(SigningKey)) is None


def test_the_token_form_on_the_key_page(client, db, make_user, body, token, monkeypatch):  # noqa: ANN001
    from tests.helpers import sign_in

    monkeypatch.setenv("NANGLUC_PKCS11_PIN", token.pin)
    admin = make_user("admin")
    sign_in(client, admin.username)
    csrf = client.cookies.get("nangluc_csrf")
    wrong = client.post(f"/issuers/{body.id}/signing/token", data={
        "csrf_token": csrf, "module": token.module, "token_label": token.token_label, "key_label": token.key_label,
        "slot": "x"})
    assert "Khe (slot) là một số" in wrong.text and db.scalar(select(SigningKey)) is None
    page = client.post(f"/issuers/{body.id}/signing/token", data={
        "csrf_token": csrf, "module": token.module, "token_label": token.token_label, "key_label": token.key_label})
    assert page.status_code == 200 and "Đã dùng thiết bị ký (Sở VHTTDL Bắc Ninh (token))" in page.text
    assert "Thiết bị ký PKCS#11" in page.text and token.pin not in page.text
    assert db.scalar(select(SigningKey)).kind == "token"
