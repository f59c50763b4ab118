"""Exit 0 when the PostgreSQL server of the URL given as argument accepts a connection."""

from __future__ import annotations

import asyncio
import sys

import asyncpg


async def _reachable(url: str) -> bool:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(_reachable(sys.argv[1])) else 1)
