"""A test CA made here with `cryptography`, an issuing body, and the finished class of the certificates tests."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from app.issuers.models import IssuingBody
from app.places import service as places
from app.signing import pki
from app.signing import service as signing
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared

PASSWORD = "mat-khau-tep-khoa"


@pytest.fixture(scope="session")
def ca() -> pki.Issued:
    return pki.make_ca("Test CA Năng Lực")


@pytest.fixture(scope="session")
def body_key(ca) -> pki.Issued:  # noqa: ANN001
    return pki.make_signer(ca, "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh", "UBND tỉnh Bắc Ninh")


@pytest.fixture(scope="session")
def p12(ca, body_key) -> bytes:  # noqa: ANN001
    return pki.to_pkcs12(body_key, [ca.cert], PASSWORD.encode())


@pytest.fixture(scope="session")
def expired_p12(ca) -> bytes:  # noqa: ANN001
    old = pki.make_signer(ca, "Sở cũ", now=datetime.now(UTC) - timedelta(days=800), days=365)
    return pki.to_pkcs12(old, [ca.cert], PASSWORD.encode())


@pytest.fixture(scope="session")
def token(tmp_path_factory, ca):  # noqa: ANN001, ANN201
    """A SoftHSM2 token holding a signing key under the test CA (tests using it skip without softhsm2/opensc)."""
    from tests.signing import softhsm
    if softhsm.module_path() is None:
        if os.environ.get("REQUIRE_SOFTHSM") == "1":
            pytest.fail("REQUIRE_SOFTHSM=1 but softhsm2/opensc are missing (apt-get install softhsm2 opensc)")
        pytest.skip("softhsm2/opensc not installed (REQUIRE_SOFTHSM=1 makes this fail)")
    signer = pki.make_signer(ca, "Sở VHTTDL Bắc Ninh (token)", "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh")
    return softhsm.make_token(tmp_path_factory.mktemp("softhsm"), signer)


@pytest.fixture
def body(db) -> IssuingBody:  # noqa: ANN001
    b = IssuingBody(unit_id=places.get_by_key(db, "24").id, name="SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
                    parent_name="UBND TỈNH BẮC NINH", signer_title="GIÁM ĐỐC", signer_name="Ngô Văn Ký")
    db.add(b)
    db.flush()
    return b


@pytest.fixture(autouse=True)
def _fresh_sealers():
    signing.forget_sealers()
    yield
    signing.forget_sealers()
