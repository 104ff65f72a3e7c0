from __future__ import annotations

import pytest

from app.auth.principal import Principal
from app.curricula import service as curricula


@pytest.fixture
def synced(db):
    curricula.sync(db, Principal.system("test"))
    return db
