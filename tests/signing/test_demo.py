"""`nangluc demo` gives the demo department a key under a self-made demo CA: its finished course's certificates
come out signed, validate against the demo CA, and are called a demo on the certificate and in the check."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.service import principal_for
from app.certificates import service as certificates
from app.courses.models import Course
from app.db import make_engine
from app.demo.courses import FINISHED_TITLE
from app.signing import service as signing
from app.signing.demo import DEMO_CA_NAME, DEMO_SIGNER
from app.signing.models import SigningKey
from tests.conftest import fresh_database_url
from tests.core.test_cli import run


def test_the_demo_issues_signed_certificates_marked_as_demo(backend, tmp_path):  # noqa: ANN001
    url = fresh_database_url(backend)
    env = {"NANGLUC_DATABASE_URL": url}
    assert run(env, "db", "upgrade").returncode == 0
    first = run(env, "demo", "--password", "Mat-khau-demo-2026")
    assert first.returncode == 0, first.stderr
    assert f"created signing key ({DEMO_SIGNER}, under {DEMO_CA_NAME})" in first.stdout
    again = run(env, "demo", "--password", "Mat-khau-demo-2026")
    assert "exists  signing key" in again.stdout
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            [key] = db.scalars(select(SigningKey)).all()
            assert key.is_demo and key.active and key.issuer == DEMO_CA_NAME
            organiser = db.scalar(select(User).where(User.username == "organiser"))
            course = db.scalar(select(Course).where(Course.title == FINISHED_TITLE))
            assert course.issuing_body_id == key.issuing_body_id
            report = certificates.issue(db, principal_for(organiser, None), course.id)
            assert report.issued
            pdf = certificates.pdf_bytes(report.issued[0])
            [check] = signing.check_file(db, pdf)["signatures"]
            assert check["valid"] and check["demo"] and check["signer"] == DEMO_SIGNER
            assert check["issuer"] == DEMO_CA_NAME
            text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
            assert "DEMO" in text and "không có giá trị pháp lý" in text
            db.rollback()
    finally:
        engine.dispose()
        signing.forget_sealers()
