"""The signing secret: refused when weak outside development, generated once into the data folder when unset."""
from __future__ import annotations

import pytest

from app.config import Settings, SettingsError


def test_missing_secret_is_generated_once_into_the_data_folder(tmp_path):
    settings = Settings(secret_key=None, data_dir=tmp_path, env="production")
    key = settings.resolved_secret_key()
    assert len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(secret_key=None, data_dir=tmp_path, env="production").resolved_secret_key() == key


@pytest.mark.parametrize("weak", ["changeme", "secret", "short-key"])
def test_default_or_short_secret_is_refused_outside_development(tmp_path, weak):
    with pytest.raises(SettingsError, match="NANGLUC_SECRET_KEY"):
        Settings(secret_key=weak, data_dir=tmp_path, env="production").resolved_secret_key()
    assert Settings(secret_key=weak, data_dir=tmp_path, env="development").resolved_secret_key() == weak


def test_postgres_urls_use_psycopg3():
    from app.db import normalise_url

    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
