"""Certificates signed at issue time: the signed file is the one stored, hashed and downloaded; the verify page
checks its signature; a body without a key issues unsigned; a replaced key's certificates stay valid; a revoked
certificate stays signed but verify says revoked."""
from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader

from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.signing import engine, pki
from app.signing import service as signing
from tests.helpers import api_token
from tests.signing.conftest import PASSWORD


def _h(client, user) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def _with_key(client, db, make_user, finished, body, p12) -> dict:  # noqa: ANN001
    admin = make_user("admin")
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/pkcs12", headers=_h(client, admin),
                    files={"file": ("k.p12", p12, "application/x-pkcs12")}, data={"password": PASSWORD})
    assert r.status_code == 201, r.text
    finished["course"].issuing_body_id = body.id
    db.flush()
    return {**finished, "admin": admin, "admin_h": _h(client, admin)}


def _issue(client, f) -> list[dict]:  # noqa: ANN001
    r = client.post(f"/api/v1/courses/{f['course'].id}/certificates", headers=_h(client, f["organiser"]), json={})
    assert r.status_code == 200, r.text
    return r.json()["issued"]


def _verify_upload(client, code: str, content: bytes):  # noqa: ANN001, ANN202
    client.get(f"/verify/{code}")
    return client.post(f"/verify/{code}", data={"csrf_token": client.cookies.get("nangluc_csrf")},
                       files={"file": ("gcn.pdf", content, "application/pdf")})


def test_issued_certificates_are_signed_and_the_signed_file_is_stored_hashed_and_downloaded(
        client, db, make_user, finished, body, p12, ca):  # noqa: ANN001
    f = _with_key(client, db, make_user, finished, body, p12)
    issued = _issue(client, f)
    assert len(issued) == 3
    mine = next(c for c in issued if c["full_name"] == "Đặng Thị Ngọc Ánh")
    pdf = client.get(f"/api/v1/certificates/{mine['id']}.pdf", headers=_h(client, f["holder_user"])).content
    c = db.get(Certificate, mine["id"])
    assert certificates.matches_file(c, pdf)  # the hash is the signed file's
    [check] = engine.check_pdf(pdf, [ca.cert])
    assert check.valid and check.unchanged_after and check.signer == "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh"
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Đã ký số bởi:" in text and "Thời gian ký:" in text  # the visible note in the signer block
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert engine.FIELD_NAME in fields and fields[engine.FIELD_NAME].get("/FT") == "/Sig"
    # the ZIP of a course holds the signed files; the merged print PDF is for paper and carries no signature
    z = client.get(f"/api/v1/courses/{f['course'].id}/certificates.zip", headers=_h(client, f["organiser"]))
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        assert all(engine.check_pdf(archive.read(n), [ca.cert])[0].valid for n in archive.namelist())
    merged = client.get(f"/api/v1/courses/{f['course'].id}/certificates.pdf", headers=_h(client, f["organiser"]))
    assert engine.check_pdf(merged.content, [ca.cert]) == []
    assert "Đã ký số bởi" not in PdfReader(io.BytesIO(merged.content)).pages[0].extract_text()


def test_the_verify_page_reports_the_signature_and_a_changed_file(client, db, make_user, finished, body, p12):  # noqa: ANN001
    f = _with_key(client, db, make_user, finished, body, p12)
    c = _issue(client, f)[0]
    stored = db.get(Certificate, c["id"])
    pdf = certificates.pdf_bytes(stored)
    plain = client.get(f"/verify/{c['code']}")
    assert "Tệp đã cấp được ký số: Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh · Thời gian ký:" in plain.text
    assert client.get(f"/verify/{c['code']}", headers={"Accept": "application/json"}).json()["digitally_signed"]
    page = _verify_upload(client, c["code"], pdf)
    assert page.status_code == 200
    assert "Tệp PDF này đúng là tệp đã cấp." in page.text
    assert "Chữ ký số hợp lệ; tệp không bị sửa sau khi ký." in page.text
    assert "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh" in page.text and "Test CA Năng Lực" in page.text
    changed = bytearray(pdf)
    at = pdf.index(b"/Creator")
    changed[at + 2] ^= 0x01
    page = _verify_upload(client, c["code"], bytes(changed))
    assert "KHÔNG phải tệp đã cấp" in page.text and "nội dung tệp đã bị thay đổi sau khi ký" in page.text
    page = _verify_upload(client, c["code"], b"not a pdf")
    assert page.status_code == 200 and "Không đọc được tệp" in page.text


def test_a_body_without_a_key_issues_unsigned(client, db, finished, body):  # noqa: ANN001
    finished["course"].issuing_body_id = body.id
    db.flush()
    c = _issue(client, finished)[0]
    pdf = certificates.pdf_bytes(db.get(Certificate, c["id"]))
    assert engine.check_pdf(pdf, []) == []
    assert "Đã ký số" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Tệp không có chữ ký số." in _verify_upload(client, c["code"], pdf).text
    assert "Không (tệp đã cấp không ký số)" in client.get(f"/verify/{c['code']}").text


def test_certificates_signed_with_a_replaced_key_stay_valid(client, db, make_user, finished, body, p12, ca):  # noqa: ANN001
    f = _with_key(client, db, make_user, finished, body, p12)
    issued = _issue(client, f)
    old_pdf = certificates.pdf_bytes(db.get(Certificate, issued[0]["id"]))
    renewed = pki.to_pkcs12(pki.make_signer(ca, "Sở Văn hóa (chứng thư 2027)"), [ca.cert], PASSWORD.encode())
    r = client.post(f"/api/v1/issuers/{body.id}/signing-keys/pkcs12", headers=f["admin_h"],
                    files={"file": ("k.p12", renewed, "application/x-pkcs12")}, data={"password": PASSWORD})
    assert r.status_code == 201
    revoked = client.post(f"/api/v1/certificates/{issued[0]['id']}/revoke", headers=_h(client, f["organiser"]),
                          json={"reason": "Sai ngày sinh trong hồ sơ", "reissue": True})
    assert revoked.status_code == 200, revoked.text
    new_pdf = certificates.pdf_bytes(db.get(Certificate, revoked.json()["reissued"]["id"]))
    [new] = signing.check_file(db, new_pdf)["signatures"]
    assert new["valid"] and new["signer"] == "Sở Văn hóa (chứng thư 2027)"
    [old] = signing.check_file(db, old_pdf)["signatures"]
    assert old["valid"] and old["signer"] == "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh"
    # the revoked certificate's file is still signed, but the verify page says it is revoked
    page = _verify_upload(client, issued[0]["code"], old_pdf)
    assert "Giấy chứng nhận này đã bị thu hồi" in page.text and "Chữ ký số hợp lệ" in page.text
    assert "giấy chứng nhận đã bị thu hồi (xem ở trên)" in page.text
