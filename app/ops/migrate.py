"""Run Alembic from code (the CLI and the tests use this, so no one needs to know where alembic.ini is)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.config import get_settings
from app.db import normalise_url

ROOT = Path(__file__).resolve().parents[2]  # the checkout: alembic.ini and migrations/


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = normalise_url(url or get_settings().database_url)
    return cfg


def upgrade(revision: str = "head", url: str | None = None) -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(revision: str, url: str | None = None) -> None:
    command.downgrade(alembic_config(url), revision)
