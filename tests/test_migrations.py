"""The migrations build exactly the schema `meetup/db/tables.py` declares: a fresh
database migrated to head, compared with the tables by Alembic's autogenerate
(columns, types, server defaults, indexes, unique and foreign keys), differs in
nothing, on SQLite and on PostgreSQL. Autogenerate does not compare CHECK
constraints nor PostgreSQL's exclusion constraint (test_coffee_concurrency.py
exercises that one)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from pprint import pformat
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from meetup.db.migrate import migrate, sqlalchemy_url
from meetup.db.tables import metadata


@pytest.fixture
def fresh_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
async def fresh_postgres_url(postgres_url: str) -> AsyncIterator[str]:
    """An empty database beside the session's (whose schema every test shares);
    `postgres_url` skips, or fails under CI, when the server is unreachable."""
    name = f"meetup_migrations_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"fresh_{request.param}_url")
    return url


def _same_server_default(
    context: MigrationContext,
    inspected_column: sa.Column[Any],
    metadata_column: sa.Column[Any],
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """False (no difference) for SQLite's empty-string defaults; None lets Alembic
    judge every other default."""
    # Pure reflection noise: SQLite reports `DEFAULT ''` back as "('')", and
    # Alembic's SQLite comparison strips the parentheses but unquotes only
    # non-empty strings (its pattern is '(.+)'), so it compares "''" with ""
    # and reports every `server_default=""` column as changed.
    if (
        context.dialect.name == "sqlite"
        and rendered_metadata_default == ""
        and inspected_default is not None
        and re.fullmatch(r"\(?''\)?", inspected_default)
    ):
        return False
    return None


async def schema_diff(url: str, target: sa.MetaData = metadata) -> list[Any]:
    """Alembic's autogenerate operations that would turn the database at `url`
    into `target`; empty when they agree."""
    engine = create_async_engine(sqlalchemy_url(url))

    def compare(connection: Connection) -> list[Any]:
        options = {"compare_type": True, "compare_server_default": _same_server_default}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, target))

    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def test_migrations_build_the_tables_declared_in_tables_py(
    fresh_url: str,
) -> None:
    await migrate(fresh_url)
    diff = await schema_diff(fresh_url)
    assert diff == [], "migrations and meetup/db/tables.py differ:\n" + pformat(diff)


async def test_the_comparison_sees_columns_types_and_defaults(
    fresh_url: str,
) -> None:
    """The empty diff above means something: a column, a type and a default
    changed in the tables each show up."""
    changed = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    hosts = changed.tables["hosts"]
    hosts.append_column(sa.Column("nickname", sa.String(40)))
    hosts.c.name.type = sa.String(121)
    hosts.c.timezone.server_default = sa.DefaultClause("Europe/Paris")

    await migrate(fresh_url)
    diff = await schema_diff(fresh_url, changed)

    kinds = sorted(op[0] if isinstance(op, tuple) else op[0][0] for op in diff)
    assert kinds == ["add_column", "modify_default", "modify_type"], pformat(diff)
