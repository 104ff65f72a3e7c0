"""A finished course with everything its paperwork needs: an issuing body, a lecturer on its sessions, budget lines
with rates, results and certificates."""
from __future__ import annotations

import unicodedata
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document

from app.certificates import service as certificates
from app.courses.models import BudgetLine, Lecturer
from app.issuers.models import IssuingBody
from app.paperwork import service as paperwork
from app.people.models import Trainee
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared

# The lecturer's name typed with combining marks (NFD), as some keyboards send it: documents print it in NFC.
LECTURER_NFD = unicodedata.normalize("NFD", "Lê Văn Giảng")


@pytest.fixture
def paper(db, finished):  # noqa: F811
    c = finished
    course, who = c["course"], c["who"]
    body = IssuingBody(unit_id=course.unit_id, name="Sở Văn hóa, Thể thao và Du lịch",
                       parent_name="Ủy ban nhân dân tỉnh Bắc Ninh", short_code="SVHTTDL", place_name="Bắc Ninh",
                       signer_title="KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", signer_name="Trần Thị Ký")
    db.add(body)
    db.flush()
    course.issuing_body_id = body.id
    lecturer = Lecturer(full_name=LECTURER_NFD, title="ThS.", organisation="Trường Chính trị tỉnh",
                        unit_id=course.unit_id)
    db.add(lecturer)
    db.flush()
    for s in course.sessions:
        s.lecturer_id = lecturer.id
    lines = {}
    for category, planned in (("meals_per_diem", 2_000_000), ("trainee_travel", 1_000_000),
                              ("lecturer_fee", 3_000_000)):
        line = BudgetLine(course_id=course.id, category=category, description="", planned_amount=Decimal(planned),
                          actual_amount=None, funding_source="central")
        db.add(line)
        db.flush()
        lines[category] = line
    db.expire(course)
    paperwork.set_rate(db, who, course.id, "per_diem", "day", Decimal(150_000), lines["meals_per_diem"].id)
    paperwork.set_rate(db, who, course.id, "travel", "trip", Decimal(100_000), lines["trainee_travel"].id)
    paperwork.set_rate(db, who, course.id, "accommodation", "day", Decimal(300_000), lines["meals_per_diem"].id)
    paperwork.set_rate(db, who, course.id, "lecturer_fee", "session", Decimal(1_250_000), lines["lecturer_fee"].id)
    c["holder"].email = "anh@example.org"
    report = certificates.issue(db, who, course.id)
    assert len(report.issued) == 3
    db.flush()
    trainees = [db.get(Trainee, e.trainee_id) for e in c["enrolments"]]
    return {**c, "trainees": trainees, "body": body, "lecturer": lecturer, "lines": lines,
            "certificates": report.issued}


def docx_text(content: bytes) -> str:
    """Every paragraph of a .docx, in tables too, one per line."""
    doc = Document(BytesIO(content))
    out: list[str] = []

    def walk(container) -> None:  # noqa: ANN001
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                out.append(block.text)
    walk(doc)
    return "\n".join(out)


def docx_fonts(content: bytes) -> set[str]:
    with zipfile.ZipFile(BytesIO(content)) as z:
        styles = z.read("word/styles.xml").decode()
    return {f for f in ("Times New Roman", "Calibri", "Arial") if f'w:ascii="{f}"' in styles}
