"""Schema migrations (Alembic), run from Python on the app's own async drivers."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from meetup.settings import PACKAGE_DIR


def sqlalchemy_url(database_url: str) -> str:
    """`sqlite:///x.db` → `sqlite+aiosqlite:///x.db`, `postgresql://` → asyncpg."""
    scheme, rest = database_url.split(":", 1)
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }.get(scheme, scheme)
    return f"{driver}:{rest}"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    return config


async def migrate(database_url: str, revision: str = "head") -> None:
    engine = create_async_engine(sqlalchemy_url(database_url))

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade)
    finally:
        await engine.dispose()
