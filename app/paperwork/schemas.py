from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# the paperwork a course can make (a document's kind, and the .docx template it is made from)
Kind = Literal["opening_decision", "summons", "class_list", "completion_list", "certificate_decision",
               "trainee_payments", "lecturer_fees", "result_report"]


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    bases: list[str] | None = Field(default=None, max_length=12, description='"Căn cứ …" lines (decisions)')
    recipients: list[str] | None = Field(default=None, max_length=12, description='"Nơi nhận" lines')
    responsible: str | None = Field(default=None, max_length=300, description="who carries the decision out")
    mode: Literal["person", "commune"] | None = Field(default=None, description="summons: per person or commune")
    bring: str | None = Field(default=None, max_length=300, description="summons: what to bring")
    contact: str | None = Field(default=None, max_length=300, description="summons: whom to contact")


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(max_length=40, description='the number in the office\'s register: "15" or "15/QĐ-SVHTTDL"')
    signed_on: date


class SendOut(BaseModel):
    reached: int = Field(description="participants sent their letter (those with an account or an e-mail)")


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per: Literal["day", "night", "trip", "session", "hour"]
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=0, description="đồng per unit")
    budget_line_id: int
