"""Signing a rendered certificate: pyHanko validates it against the test root, poppler's pdfsig lists it, and one
changed byte makes validation fail. No database."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date

import pytest

from app.certificates import render
from app.signing import engine, pki

DATA = render.CertificateData(
    issuer_name="SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", full_name="Đặng Thị Ngọc Ánh", course_title="Bồi dưỡng",
    start_date=date(2026, 11, 2), end_date=date(2026, 11, 4), hours=24, number="1/2026/GCN", issue_place="Bắc Ninh",
    issue_date=date(2026, 12, 3), signer_title="GIÁM ĐỐC", signer_name="Ngô Văn Ký",
    verify_url="http://testserver/verify/ABCDEFGHIJKLMNOP", signature_note="Đã ký số bởi:\nSở VHTTDL\nThời gian ký")


@pytest.fixture(scope="module")
def signed(ca, body_key) -> bytes:  # noqa: ANN001
    sealer = engine.PdfSealer(engine.FileSigner(body_key.key, body_key.cert, [ca.cert]),
                              engine.Placement(0, render.SIGNATURE_BOX))
    sealer.sign(render.render_one(DATA))  # the first signature builds the template; check a later one
    return sealer.sign(render.render_one(DATA))


def test_a_signed_certificate_validates_against_its_root(signed, ca):  # noqa: ANN001
    [check] = engine.check_pdf(signed, [ca.cert])
    assert check.valid and check.intact and check.trusted and check.unchanged_after
    assert check.signer == "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh" and check.issuer == "Test CA Năng Lực"
    assert check.field == engine.FIELD_NAME and check.signed_at is not None


def test_another_root_does_not_trust_it(signed):  # noqa: ANN001
    [check] = engine.check_pdf(signed, [pki.make_ca("Someone else's CA").cert])
    assert check.intact and not check.trusted and not check.valid


def test_one_changed_byte_fails_validation(signed, ca):  # noqa: ANN001
    at = signed.index(b"/Creator")  # inside the signed range, in the original revision
    changed = bytearray(signed)
    changed[at + 2] ^= 0x01
    [check] = engine.check_pdf(bytes(changed), [ca.cert])
    assert not check.intact and not check.valid


def test_something_appended_after_signing_is_seen(signed, ca):  # noqa: ANN001
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    w = IncrementalPdfFileWriter(BytesIO(signed))
    w.root["/Lang"] = generic.TextStringObject("en")  # a later revision changing the document
    w.update_root()
    out = BytesIO()
    w.write(out)
    [check] = engine.check_pdf(out.getvalue(), [ca.cert])
    assert check.intact and not check.unchanged_after


def test_pdfsig_lists_the_signature(signed, tmp_path):  # noqa: ANN001
    if not shutil.which("pdfsig"):
        if os.environ.get("REQUIRE_PDF_TOOLS") == "1":
            pytest.fail("REQUIRE_PDF_TOOLS=1 but pdfsig (poppler-utils) is missing")
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Signature #1" in out and f"Signature Field Name: {engine.FIELD_NAME}" in out
    assert "Signer Certificate Common Name: Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh" in out
    assert "Signature Validation: Signature is Valid." in out and "Total document signed" in out
    assert "ETSI.CAdES.detached" in out  # PAdES


def test_an_unsigned_pdf_has_no_signatures(ca):  # noqa: ANN001
    assert engine.check_pdf(render.render_one(DATA), [ca.cert]) == []


def test_a_file_that_is_not_a_pdf_is_unreadable(ca):  # noqa: ANN001
    with pytest.raises(ValueError):
        engine.check_pdf(b"not a pdf at all", [ca.cert])
