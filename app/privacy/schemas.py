from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern="^(correction|deletion)$")
    message: str = Field(default="", max_length=2000)


class RequestOut(BaseModel):
    id: int
    kind: str
    status: str
    message: str
    response: str | None = None


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(pattern="^(done|refused)$")
    response: str = Field(default="", max_length=2000)
