"""The media-products register: press works and media products about exemplary people, good initiatives and
poverty-reduction models (the letter's second task), with their topics, links and budget lines."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class MediaProduct(Base):
    __tablename__ = "media_product"
    __table_args__ = (Index("ix_media_product_unit_produced", "unit_id", "produced_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # news_article, report, radio_programme, …
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    producer_kind: Mapped[str] = mapped_column(String(20))  # press_agency, commune_radio, other
    producer_name: Mapped[str] = mapped_column(String(200))
    # The place the product is about and counted under (a commune, or a province for provincial press).
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    produced_on: Mapped[date] = mapped_column(Date, index=True)
    published_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    rebroadcast_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    unit: Mapped[AdminUnit] = relationship(lazy="raise")
    topics: Mapped[list[MediaTopic]] = relationship(order_by="MediaTopic.topic", lazy="raise",
                                                    cascade="all, delete-orphan")
    links: Mapped[list[MediaLink]] = relationship(order_by="MediaLink.position", lazy="raise",
                                                  cascade="all, delete-orphan")
    budget_lines: Mapped[list[MediaBudgetLine]] = relationship(order_by="MediaBudgetLine.id", lazy="raise",
                                                               cascade="all, delete-orphan")


class MediaTopic(Base):
    """One topic tag of a product (a row each, so that reports can count by topic in SQL)."""

    __tablename__ = "media_topic"

    media_id: Mapped[int] = mapped_column(ForeignKey("media_product.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class MediaLink(Base):
    """Where the product can be read, heard or watched (http or https only)."""

    __tablename__ = "media_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_product.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(String(200), default="")


class MediaBudgetLine(Base):
    """A planned and actual amount spent on a product (VND) with its funding source; rates are never coded."""

    __tablename__ = "media_budget_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_product.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(300), default="")
    planned_amount: Mapped[Decimal] = mapped_column(Numeric(16, 0))
    actual_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 0))
    funding_source: Mapped[str] = mapped_column(String(20))
