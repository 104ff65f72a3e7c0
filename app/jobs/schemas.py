"""A background job as the API shows it."""
from __future__ import annotations

from pydantic import BaseModel


class JobOut(BaseModel):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    result: dict
    error: str | None
    file_url: str | None
