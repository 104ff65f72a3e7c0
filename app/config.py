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
    # How many requests' endpoints one worker process runs at once, in its threads (never more than its connections,
    # below): the rest wait in the event loop holding neither a thread nor a connection. The work is CPU and the
    # database, not waiting: a few threads per worker serve a rush faster than many (bench/README.md, 2026-12-04).
    threads: int = Field(default=4, ge=1, le=500)
    # The connection budget (docs/operations.md, "Connections"): each worker process opens at most
    # db_pool_size + db_max_overflow connections: one per thread, and a few for what holds one outside a thread
    # (a streaming export); a request that still finds no free connection within db_pool_timeout seconds is answered
    # 503 with Retry-After. N servers x W workers x (size + overflow) must stay under PostgreSQL's max_connections
    # minus its reserved ones, or go through PgBouncer.
    db_pool_size: int = Field(default=4, ge=1, le=500)
    db_max_overflow: int = Field(default=4, ge=0, le=500)
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300)
    # How long a thread back from the database may wait for the GIL (Python's default is 0.005): shorter keeps a
    # registration that holds a course's seat lock moving while the event loop is busy (docs/reliability.md).
    gil_switch_seconds: float = Field(default=0.005, ge=0.0001, le=0.1)
    # Behind PgBouncer in transaction mode: each new connection asks PgBouncer whether it keeps prepared statements
    # across its server connections (1.22 and later with max_prepared_statements > 0) and prepares none if it does
    # not (1.18, Debian 12's); the queue's worker polls instead of LISTEN (app.db, app.jobs.queue).
    db_pgbouncer: bool = False
    # A pooled connection idle longer than this is pinged before use (a round trip); one back from a request a moment
    # ago is not (app.db._ping_when_idle). 0 pings at every checkout, as SQLAlchemy's pool_pre_ping does.
    db_ping_after_seconds: float = Field(default=2.0, ge=0, le=3600)
    # Background jobs and e-mail (docs/operations.md, "Background jobs"): "queue" hands them to the PostgreSQL queue,
    # run by `nangluc worker`; "inline" runs them in the web process after the response (SQLite always does);
    # "auto" is "queue" on PostgreSQL.
    jobs_runner: Literal["auto", "queue", "inline"] = "auto"
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0, le=600)
    worker_stalled_seconds: float = Field(default=60.0, gt=0, le=3600)  # no heartbeat this long: the job is retried
    # The API's browsable documentation (/docs) and its schema (/openapi.json); false answers 404 for both.
    api_docs: bool = True
    # Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto to know a request came over https
    # (cookies then carry Secure). Leave false when clients reach the server directly: they could forge the header.
    behind_proxy: bool = False

    # Sign-in protection (app/auth/throttle.py). Per account name: this many failures are free, then each further
    # attempt waits a delay that doubles from sign_in_lock_minutes up to sign_in_lock_max_minutes; a client that has
    # not failed for that name is still let in. Per client address (any name): the same with its own limit. Failures
    # are forgotten after sign_in_memory_hours without one.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_address_max_failures: int = Field(default=30, ge=1)
    sign_in_lock_minutes: int = Field(default=1, ge=1)
    sign_in_lock_max_minutes: int = Field(default=60, ge=1)
    sign_in_memory_hours: int = Field(default=24, ge=1)
    # Sign-ups and invitation claims per client address before the growing delays start.
    signup_per_address: int = Field(default=20, ge=1)
    invitation_days: int = Field(default=30, ge=1, le=365)  # how long an invitation code stays valid
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
    verify_per_minute: int = Field(default=30, ge=1)  # look-ups of /verify per client address
    # Signed certificates (docs/signing.md): an RFC 3161 timestamp server makes signatures PAdES B-T; revocation
    # data is embedded (B-LT) when the signer's certificate names an OCSP or CRL address; extra trust roots (PEM
    # bundle, e.g. the national root CA) for checking uploaded files.
    signing_tsa_url: str | None = None
    signing_embed_revocation: bool = True
    signing_trust_roots: Path | None = None
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
