from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import utcnow


@pytest.fixture
def synced(db):
    curricula.sync(db, Principal.system("test"))
    return db


def principal(user) -> Principal:  # noqa: ANN001
    return Principal(user.id, user.username, user.full_name, user.role, user.unit_id, "127.0.0.1")


@pytest.fixture
def soon() -> date:
    """A Monday comfortably in the future, so that registration can close before the course starts."""
    d = utcnow().date() + timedelta(days=30)
    return d - timedelta(days=d.weekday())
