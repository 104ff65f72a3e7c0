"""Settings, read from the environment (prefix NANGLUC_) and an optional `.env` file."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that must never protect a real installation.
KNOWN_WEAK_SECRETS = {"", "secret", "changeme", "change-me", "development", "dev", "nangluc"}
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """The configuration cannot be used safely."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NANGLUC_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "production"
    database_url: str = "sqlite:///./var/nangluc.db"
    secret_key: str | None = None
    data_dir: Path = Path("./var")
    public_url: str = "http://127.0.0.1:8000"
    default_locale: Literal["vi", "en"] = "vi"
    # The API's browsable documentation (/docs) and its schema (/openapi.json); false answers 404 for both.
    api_docs: bool = True
    # Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto to know a request came over https
    # (cookies then carry Secure). Leave false when clients reach the server directly: they could forge the header.
    behind_proxy: bool = False

    # Sign-in protection: this many failures within the window locks the account name for lock_minutes.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    sign_in_lock_minutes: int = Field(default=15, ge=1)
    web_session_hours: int = Field(default=12, ge=1)
    api_token_hours: int = Field(default=8, ge=1)
    smtp_host: str | None = None  # unset: e-mails are written to DATA_DIR/outbox.log
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "nangluc@localhost"
    # Request bodies: forms and JSON up to request_max_bytes; imports and materials have their own limits below.
    request_max_bytes: int = Field(default=1024 * 1024, ge=64 * 1024)
    import_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)  # spreadsheets of officials
    # Certificate numbers, per issuing unit and year: {n} (or {n:04d}), {year}, {unit} (the unit's code).
    certificate_number_pattern: str = "{n}/{year}/GCN"
    verify_per_minute: int = Field(default=30, ge=1)  # look-ups of /verify per client address
    # Records that have not moved for this many years are anonymised by `nangluc retention --apply`.
    retention_years: int = Field(default=5, ge=1, le=50)
    material_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)  # each uploaded training material
    material_max_files: int = Field(default=10, ge=1, le=100)  # files in one upload

    # Argon2id cost. The defaults are the library's recommendation; tests lower them to stay fast.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The signing key: the configured one if strong, else one generated once into the data folder."""
        if self.secret_key is not None:
            key = self.secret_key.strip()
            weak = key.lower() in KNOWN_WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH
            if weak and self.env != "development":
                raise SettingsError(
                    f"NANGLUC_SECRET_KEY is missing, a default or shorter than {MIN_SECRET_LENGTH} characters. "
                    "Set a long random value, or unset it to have one generated into NANGLUC_DATA_DIR."
                )
            return key
        path = self.data_dir / "secret_key"
        if path.exists():
            key = path.read_text().strip()
            if len(key) >= MIN_SECRET_LENGTH:
                return key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n")
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
