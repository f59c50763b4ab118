"""A PostgreSQL 15 cluster of a test's own, for the fault tests that stop and restart the server
(never the shared server on 5432, which other test runs use).

``private_postgres()`` runs ``initdb`` in a fresh temporary folder and ``pg_ctl start`` on a free
loopback port (as the ``postgres`` OS user when the tests run as root, since initdb refuses
root); ``stop``, ``start`` and ``restart`` drive the server; the cluster is removed at the end.
Without the binaries the test is skipped, or fails when ``HUB_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BIN = Path(os.environ.get("HUB_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    """One private cluster: its folder, port and the commands that drive it."""

    def __init__(self, folder: Path, port: int, run_as: str | None) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "server.log"
        self.port = port
        self.run_as = run_as

    def __repr__(self) -> str:
        return f"<PrivatePostgres 127.0.0.1:{self.port}>"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        done = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}\n{log}")

    def initdb(self) -> None:
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=60"
        )
        pg_ctl = str(BIN / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster; stopped and deleted afterwards."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        reason = f"PostgreSQL 15 server binaries not found in {BIN} (set HUB_PG_BIN)"
        if os.environ.get("HUB_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and HUB_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    run_as = None
    folder = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
        run_as = "postgres"
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PrivatePostgres(folder, _free_port(), run_as)
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        if server.data.exists():
            subprocess.run(
                [
                    *(["runuser", "-u", run_as, "--"] if run_as else []),
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(server.data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
