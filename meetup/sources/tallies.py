"""The click roll-ups the dashboard reads instead of the clicks: each source's
totals (`click_totals`) and its distinct visitors in the order they first
came (`source_visitors`, whose `place` counts the visitors up to each one).
`count_click` keeps them exact in the write that records the click; a click
recorded with an earlier time than the ones before it (the demo's history)
moves its visitor up and everyone after them down one place.

Concurrent clicks through one source wait for each other: the totals' upsert,
the first statement, locks the source's row until the write ends, so two new
visitors never take the same place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from meetup.db import ByDialect, Database
from meetup.db.tables import UTCDateTime, click_totals, source_visitors

_sv = source_visitors.c
_SOURCE = sa.bindparam("click_source", type_=sa.Integer)
_VISITOR = sa.bindparam("click_visitor", type_=sa.String)
_AT = sa.bindparam("click_at", type_=UTCDateTime)


def _add_totals(dialect: Any) -> sa.Insert:
    insert = dialect.insert(click_totals).values(
        source_id=_SOURCE,
        clicks=sa.bindparam("click_count", type_=sa.Integer),
        previews=sa.bindparam("preview_count", type_=sa.Integer),
    )
    statement: sa.Insert = insert.on_conflict_do_update(
        index_elements=["source_id"],
        set_={
            "clicks": click_totals.c.clicks + insert.excluded.clicks,
            "previews": click_totals.c.previews + insert.excluded.previews,
        },
    )
    return statement


def _after(at: Any, visitor: Any) -> sa.ColumnElement[bool]:
    """Rows of the source that come after (at, visitor) in visitors' order."""
    return sa.and_(
        _sv.source_id == _SOURCE,
        sa.tuple_(_sv.first_at, _sv.visitor) > sa.tuple_(at, visitor),
    )


# The place of the last visitor before (at, visitor), 0 when none.
_places_before = sa.func.coalesce(
    sa.select(_sv.place)
    .where(
        _sv.source_id == _SOURCE,
        sa.tuple_(_sv.first_at, _sv.visitor) < sa.tuple_(_AT, _VISITOR),
    )
    .order_by(_sv.first_at.desc(), _sv.place.desc())
    .limit(1)
    .scalar_subquery(),
    0,
)


def _place(dialect: Any) -> sa.Insert:
    statement: sa.Insert = (
        dialect.insert(source_visitors)
        .values(
            source_id=_SOURCE, visitor=_VISITOR, first_at=_AT, place=_places_before + 1
        )
        .on_conflict_do_nothing(index_elements=["source_id", "visitor"])
        .returning(_sv.place)
    )
    return statement


# Built once: a click is the site's most frequent write.
_ADD_TOTALS = ByDialect(_add_totals(sqlite), _add_totals(postgresql))
_PLACE = ByDialect(_place(sqlite), _place(postgresql))
_FIRST_AT = sa.select(_sv.first_at).where(
    _sv.source_id == _SOURCE, _sv.visitor == _VISITOR
)
_MAKE_ROOM = (
    source_visitors.update().where(_after(_AT, _VISITOR)).values(place=_sv.place + 1)
)
_OLD_AT = sa.bindparam("earlier_at", type_=UTCDateTime)
_CLOSE_GAP = (
    source_visitors.update()
    .where(_after(_OLD_AT, _VISITOR))
    .values(place=_sv.place - 1)
)
_FORGET = source_visitors.delete().where(
    _sv.source_id == _SOURCE, _sv.visitor == _VISITOR
)


async def count_click(
    db: Database, source_id: int, *, visitor: str, preview: bool, at: datetime
) -> None:
    """Counts one click (or link preview) in the roll-ups; inside a write."""
    await db.execute(
        db.pick(_ADD_TOTALS),
        {
            "click_source": source_id,
            "click_count": int(not preview),
            "preview_count": int(preview),
        },
    )
    if preview or not visitor:
        return
    params = {"click_source": source_id, "click_visitor": visitor, "click_at": at}
    if await db.fetch_one(db.pick(_PLACE), params) is None:
        earlier = await db.fetch_val(_FIRST_AT, params)
        if earlier <= at:
            return  # a visitor seen before: nothing moves
        await db.execute(_FORGET, params)
        await db.execute(_CLOSE_GAP, params | {"earlier_at": earlier})
        await db.fetch_one(db.pick(_PLACE), params)
    await db.execute(_MAKE_ROOM, params)
