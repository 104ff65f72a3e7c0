"""A person's request about their own data, and what the organiser did with it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class DataRequest(Base):
    __tablename__ = "data_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # correction, deletion
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open, done, refused
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    response: Mapped[str | None] = mapped_column(Text)
