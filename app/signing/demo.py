"""The demo signs: `nangluc demo` gives the demo province's issuing body a key under a self-made demo CA, so a
newcomer issues and opens a signed certificate at once. Both certificates say DEMO; the CA's own key is thrown
away once it has signed the body's certificate."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.core.text import fold
from app.courses.models import Course
from app.issuers.models import IssuingBody
from app.places import service as places
from app.signing import pki
from app.signing import service as signing

DEMO_CA_NAME = "Năng Lực DEMO CA — không có giá trị pháp lý"
DEMO_SIGNER = "Sở VHTTDL Bắc Ninh (DEMO)"
DEMO_BODY = "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"


def _demo_body(db: Session, province_key: str) -> IssuingBody | None:
    """The province's culture department as an issuing body: the one already recorded, else a new one; demo courses
    of the province without a body get it."""
    unit = places.get_by_key(db, province_key)
    if unit is None:
        return None
    bodies = db.scalars(select(IssuingBody).where(IssuingBody.unit_id == unit.id).order_by(IssuingBody.id)).all()
    body = next((b for b in bodies if "van hoa" in fold(b.name).lower()), None)
    if body is None:
        body = IssuingBody(unit_id=unit.id, name=DEMO_BODY, parent_name=f"UBND {unit.name.upper()}",
                           place_name=unit.short_name if getattr(unit, "short_name", None) else "Bắc Ninh",
                           signer_title="KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", signer_name="Ngô Văn Ký")
        db.add(body)
        db.flush()
    for course in db.scalars(select(Course).where(Course.unit_id == unit.id, Course.issuing_body_id.is_(None))):
        course.issuing_body_id = body.id
    db.flush()
    return body


def load_demo_signing(db: Session, province_key: str) -> str:
    """Give the demo body a demo key, once. Returns a line for `nangluc demo`'s report."""
    body = _demo_body(db, province_key)
    if body is None:
        return "skipped signing key (no demo province)"
    if signing.active_key(db, body.id) is not None:
        return "exists  signing key"
    ca = pki.make_ca(DEMO_CA_NAME, days=3650)
    signer = pki.make_signer(ca, DEMO_SIGNER, "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh", days=1825)
    password = secrets.token_urlsafe(16)  # only to carry the key into add_pkcs12, like an uploaded file
    signing.add_pkcs12(db, Principal.system("demo"), body.id, pki.to_pkcs12(signer, [ca.cert], password.encode()),
                       password, is_demo=True)
    return f"created signing key ({DEMO_SIGNER}, under {DEMO_CA_NAME})"
