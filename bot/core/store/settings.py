"""Per-channel moderator settings: answers and quizzes on or off, visibility, cooldown."""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from bot.core.store.models import ChannelRef, ChannelSettings, Visibility
from bot.core.store.schema import channel_settings as t

if TYPE_CHECKING:
    from bot.core.store.db import Store

MAX_COOLDOWN_SECONDS = 24 * 3600.0


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET


def _where(ref: ChannelRef) -> sa.ColumnElement[bool]:
    return sa.and_(
        t.c.platform == ref.platform,
        t.c.workspace_id == ref.workspace_id,
        t.c.channel_id == ref.channel_id,
    )


def _from_row(row: sa.Row[Any]) -> ChannelSettings:
    return ChannelSettings(
        answers_on=bool(row.answers_on),
        quizzes_on=bool(row.quizzes_on),
        visibility=Visibility(row.visibility),
        cooldown_seconds=row.cooldown_seconds,
    )


class SettingsRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, ref: ChannelRef) -> ChannelSettings:
        """The channel's settings; a channel nobody configured has the defaults."""
        async with self._store.read() as conn:
            row = (await conn.execute(sa.select(t).where(_where(ref)))).first()
        return _from_row(row) if row is not None else ChannelSettings()

    async def update(
        self,
        ref: ChannelRef,
        *,
        answers_on: bool | None = None,
        quizzes_on: bool | None = None,
        visibility: Visibility | str | None = None,
        cooldown_seconds: float | _Unset | None = UNSET,
    ) -> ChannelSettings:
        """Change only the given settings; `cooldown_seconds=None` restores the bot's default.

        One upsert statement, so two moderators changing different settings at the same moment
        both keep their change.
        """
        changes: dict[str, Any] = {}
        if answers_on is not None:
            changes["answers_on"] = bool(answers_on)
        if quizzes_on is not None:
            changes["quizzes_on"] = bool(quizzes_on)
        if visibility is not None:
            changes["visibility"] = Visibility(visibility).value
        if cooldown_seconds is not UNSET:
            if cooldown_seconds is not None and (
                not math.isfinite(cooldown_seconds)
                or not 0 <= cooldown_seconds <= MAX_COOLDOWN_SECONDS
            ):
                raise ValueError(
                    f"the cooldown must be between 0 and {MAX_COOLDOWN_SECONDS:.0f} seconds"
                )
            changes["cooldown_seconds"] = cooldown_seconds
        now = self._store.now()
        defaults = ChannelSettings()
        row = {
            "platform": ref.platform,
            "workspace_id": ref.workspace_id,
            "channel_id": ref.channel_id,
            "answers_on": defaults.answers_on,
            "quizzes_on": defaults.quizzes_on,
            "visibility": defaults.visibility.value,
            "cooldown_seconds": defaults.cooldown_seconds,
            **changes,
            "updated_at": now,
        }
        stmt = self._store.insert(t).values(row)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.platform, t.c.workspace_id, t.c.channel_id],
            set_={**changes, "updated_at": now},
        )
        async with self._store.write() as conn:
            await conn.execute(stmt)
            saved = (await conn.execute(sa.select(t).where(_where(ref)))).one()
        return _from_row(saved)

    async def reset(self, ref: ChannelRef) -> None:
        async with self._store.write() as conn:
            await conn.execute(sa.delete(t).where(_where(ref)))

    async def configured(self, platform: str, workspace_id: str) -> dict[str, ChannelSettings]:
        """Every channel of a workspace that has settings of its own, by channel id."""
        query = (
            sa.select(t)
            .where(t.c.platform == platform, t.c.workspace_id == workspace_id)
            .order_by(t.c.channel_id)
        )
        async with self._store.read() as conn:
            rows = (await conn.execute(query)).all()
        return {row.channel_id: _from_row(row) for row in rows}
