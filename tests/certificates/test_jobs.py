"""Big issues and prints run as background jobs recorded in the database, with progress and a download."""
from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader
from sqlalchemy import func, select

from app.certificates import service
from app.certificates.models import Certificate
from app.jobs.models import Job
from tests.certificates.test_issue import _h, finished  # noqa: F401 - the fixture, shared
from tests.helpers import sign_in


def test_a_big_course_is_issued_by_a_background_job_with_progress(client, db, finished, monkeypatch):  # noqa: F811
    monkeypatch.setattr(service, "ISSUE_INLINE_MAX", 2)
    monkeypatch.setattr(service, "BATCH", 2)
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    started = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["total"] == 3 and job["kind"] == "certificates.issue"
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=h).json()  # the job ran after the response
    assert (done["status"], done["done"], done["total"], done["result"]) == ("done", 3, 3, {"issued": 3})
    assert db.scalar(select(func.count()).select_from(Certificate)) == 3
    sequences = sorted(db.scalars(select(Certificate.sequence)))
    assert sequences == [1, 2, 3]
    other = client.get(f"/api/v1/jobs/{job['id']}", headers=_h(client, finished["holder_user"].username))
    assert other.status_code == 404  # a job is seen by who started it


def test_the_page_shows_a_progress_bar_then_the_result(client, db, finished, monkeypatch):  # noqa: F811
    monkeypatch.setattr(service, "ISSUE_INLINE_MAX", 1)
    sign_in(client, finished["organiser"].username)
    csrf = client.cookies.get("nangluc_csrf")
    r = client.post(f"/courses/{finished['course'].id}/certificates", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    page = client.get(r.headers["location"])
    assert 'id="job-progress"' in page.text and "đã cấp" in page.text


def test_a_commune_prints_its_officials_certificates_for_a_period(client, db, finished):  # noqa: F811
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={})
    period = {"date_from": str(course.start_date), "date_to": str(course.end_date)}
    for fmt in ("pdf", "zip"):
        job = client.post("/api/v1/certificates/print", headers=h, json={"unit": "07432", "format": fmt, **period})
        assert job.status_code == 202, job.text
        status = client.get(f"/api/v1/jobs/{job.json()['id']}", headers=h).json()
        assert status["status"] == "done" and status["file_url"]
        content = client.get(status["file_url"], headers=h).content
        if fmt == "pdf":
            assert len(PdfReader(io.BytesIO(content)).pages) == 3
        else:
            assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 3
    empty = client.post("/api/v1/certificates/print", headers=h,
                        json={"unit": "07432", "date_from": "2020-01-01", "date_to": "2020-12-31"})
    assert empty.status_code == 404 and "Không có giấy chứng nhận" in empty.json()["detail"]
    backwards = client.post("/api/v1/certificates/print", headers=h,
                            json={"unit": "07432", "date_from": "2026-12-31", "date_to": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "date_to"


def test_another_provinces_officials_cannot_be_printed(client, db, finished, make_user):  # noqa: F811
    outsider = make_user("organiser", unit="01")
    r = client.post("/api/v1/certificates/print", headers=_h(client, outsider.username),
                    json={"unit": "07432", "date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert r.status_code == 403
    assert db.scalar(select(func.count()).select_from(Job)) == 0
