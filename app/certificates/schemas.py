from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.certificates import rules


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enrolment_ids: list[int] | None = Field(default=None, max_length=10000,
                                            description="omit to issue to everyone who completed")


class CertificateOut(BaseModel):
    id: int
    number: str
    register_entry: int
    full_name: str
    status: str
    code: str
    verify_url: str
    issued_at: str
    revoke_reason: str | None = Field(default=None, description="staff: the internal note; the holder: the public "
                                      "reason (category and public text)")
    revoke_category: str | None = None
    revoke_public_note: str | None = None


class IssueOut(BaseModel):
    issued: list[CertificateOut]
    skipped: list[dict]


class PrintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str = Field(min_length=1, max_length=16, description='a commune or province key, e.g. "24" or "07432"')
    date_from: date
    date_to: date
    format: str = Field(default="pdf", pattern="^(pdf|zip)$")


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=1000, description="internal note, for colleagues; never public")
    category: str = Field(default="other", pattern="^(" + "|".join(rules.REVOKE_CATEGORIES) + ")$",
                          description="the public reason: " + ", ".join(rules.REVOKE_CATEGORIES))
    public_note: str = Field(default="", max_length=rules.PUBLIC_NOTE_MAX,
                             description="optional text shown on the public verify page")
    reissue: bool = False


class RevokeOut(BaseModel):
    revoked: CertificateOut
    reissued: CertificateOut | None
