"""Pydantic models of the records of a utility company's API, as ``CONTRACT.md`` describes.

Unknown fields are ignored, so a field the company adds later does no harm; known fields are
strict, so a number sent as text, text sent as a number or a day sent as a number fails validation
and the record is quarantined instead of stored wrongly. Days are ``YYYY-MM-DD`` text, instants
ISO 8601 text with ``Z`` or an offset.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.wire_common import Day, Id, Instant, Tombstone

__all__ = ["Day", "Id", "Instant", "Tombstone"]
TownCode = Annotated[str, Field(pattern=r"^\d{9}$")]
CompoundName = Annotated[str, Field(min_length=1, max_length=100)]

TaskType = Literal["管网入户", "入表"]
TaskStatus = Literal["计划", "施工中", "已完成", "已取消"]


class Record(BaseModel):
    """Fields every record of the company has."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    id: Id
    updatedAt: Instant


class ConnectionTask(Record):
    """管网入户 / 入表: a service-connection or meter-installation task in a compound."""

    townCode: TownCode
    compoundName: CompoundName
    type: TaskType
    status: TaskStatus
    households: Annotated[int, Field(ge=0)]
    plannedOn: Day | None = None
    dueOn: Day | None = None
    completedOn: Day | None = None


class Outage(Record):
    """停水 / 停电 / 停气 / 停热 / 通信中断: an interruption of service in a compound."""

    townCode: TownCode
    compoundName: CompoundName
    startsAt: Instant
    endsAt: Instant | None = None
    reason: Annotated[str, Field(min_length=1, max_length=200)]
    affectedHouseholds: Annotated[int, Field(ge=0)]
