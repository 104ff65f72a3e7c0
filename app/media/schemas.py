"""JSON shapes of the media-products register."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import AsciiDecimal
from app.media import rules
from app.media.models import MediaProduct


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=1000, description="http:// or https://")
    label: str = Field(default="", max_length=200)


class BudgetLineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(description=", ".join(rules.BUDGET_CATEGORIES))
    description: str = Field(default="", max_length=300)
    planned_amount: AsciiDecimal = Field(description="VND")
    actual_amount: AsciiDecimal | None = Field(default=None, description="VND, once spent")
    funding_source: str = Field(description=", ".join(rules.FUNDING_SOURCES))


class MediaBody(BaseModel):
    """A product as recorded; every field is checked and every problem returned at once (`errors`)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description=", ".join(rules.KINDS))
    title: str = Field(max_length=1000)
    summary: str = Field(default="", max_length=5000)
    producer_kind: str = Field(description=", ".join(rules.PRODUCERS))
    producer_name: str = Field(max_length=1000, description="e.g. Báo Bắc Ninh, Đài truyền thanh xã Tân Dĩnh")
    unit: str = Field(max_length=12, description='the place: a commune or province key ("07432", "24")')
    produced_on: date
    published_on: date | None = Field(default=None, description="broadcast or published on")
    channel: str = Field(description=", ".join(rules.CHANNELS))
    topics: list[str] = Field(max_length=10, description=", ".join(rules.TOPICS))
    rebroadcast_count: int = 0
    links: list[LinkBody] = Field(default_factory=list, max_length=50)
    budget_lines: list[BudgetLineBody] = Field(default_factory=list, max_length=50)

    def as_input(self) -> rules.MediaIn:
        return rules.MediaIn(
            kind=self.kind, title=self.title, summary=self.summary, producer_kind=self.producer_kind,
            producer_name=self.producer_name, produced_on=self.produced_on, published_on=self.published_on,
            channel=self.channel, topics=tuple(self.topics), rebroadcast_count=self.rebroadcast_count,
            links=tuple(rules.LinkIn(x.url, x.label) for x in self.links),
            budget_lines=tuple(rules.BudgetIn(b.category, b.planned_amount, b.funding_source, b.actual_amount,
                                              b.description) for b in self.budget_lines))


class MediaOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    producer_kind: str
    producer_name: str
    unit: str = Field(description="the place's key")
    unit_name: str
    produced_on: date
    published_on: date | None
    channel: str
    topics: list[str]
    rebroadcast_count: int
    links: list[LinkBody]
    budget_lines: list[BudgetLineBody]
    updated_at: datetime


class MediaPage(BaseModel):
    items: list[MediaOut]
    total: int


def media_out(m: MediaProduct) -> MediaOut:
    return MediaOut(
        id=m.id, kind=m.kind, kind_label=rules.KINDS.get(m.kind, (m.kind,))[0], title=m.title, summary=m.summary,
        producer_kind=m.producer_kind, producer_name=m.producer_name, unit=m.unit.key, unit_name=m.unit.name,
        produced_on=m.produced_on, published_on=m.published_on, channel=m.channel,
        topics=[t.topic for t in m.topics], rebroadcast_count=m.rebroadcast_count,
        links=[LinkBody(url=x.url, label=x.label) for x in m.links],
        budget_lines=[BudgetLineBody(category=b.category, description=b.description, planned_amount=b.planned_amount,
                                     actual_amount=b.actual_amount, funding_source=b.funding_source)
                      for b in m.budget_lines],
        updated_at=m.updated_at)
