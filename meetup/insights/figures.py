"""The dashboard's figures for one page, read once for the page and the
JSON API alike: the funnel per source, connections per week, the goal and
its streak, per-event numbers and the people totals."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from meetup.db import Database, Row
from meetup.events import counts
from meetup.insights import connections, queries


@dataclass(frozen=True)
class Figures:
    per_source: dict[int, queries.Funnel]
    weeks: list[tuple[datetime, int]]
    goal: connections.Goal
    events: list[queries.EventFigures]
    total: queries.Funnel  # every source, each person counted once


async def of_page(db: Database, host: Row, at: datetime) -> Figures:
    async def weeks_and_goal() -> tuple[list[tuple[datetime, int]], connections.Goal]:
        weeks = await queries.connections_per_week(db, host["id"], at, host["timezone"])
        return weeks, await connections.goal(db, host, at, weeks)

    # Independent reads, run side by side: each on a connection of its own.
    per_source, (weeks, goal), events, everyone = await asyncio.gather(
        queries.funnels(db, host["id"]),
        weeks_and_goal(),
        queries.per_event(db, host["id"]),
        counts.people_in_all(db, host["id"], at),
    )
    total = queries.total_people(per_source, everyone)
    return Figures(per_source, weeks, goal, events, total)
