"""A throwaway PostgreSQL server for the storage tests: initdb into a temporary folder, listen
on 127.0.0.1 only (and a socket in that folder), and remove everything afterwards.

initdb and the server refuse to run as root, so as root they run as the `postgres` user
through `runuser`. Anything missing becomes a `ServerUnavailable` with the reason, which the
fixture turns into a visible skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

SERVER_USER = "postgres"


class ServerUnavailable(Exception):
    pass


def find_bin_dir() -> Path:
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    raise ServerUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql package"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path
    port: int
    as_user: list[str] = field(default_factory=list)
    _names: count[int] = field(default_factory=lambda: count(1))

    @property
    def data(self) -> Path:
        return self.base / "data"

    def _run(self, *args: str, as_server: bool = True) -> None:
        prefix = self.as_user if as_server else []
        result = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-1000:]} {tail}".strip()
            )

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_bin_dir()
        as_user: list[str] = []
        base = Path(tempfile.mkdtemp(prefix="studybot-pg-"))
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                account = pwd.getpwnam(SERVER_USER)
            except KeyError:
                shutil.rmtree(base, ignore_errors=True)
                raise ServerUnavailable(
                    f"running as root and there is no '{SERVER_USER}' user to run the server as"
                ) from None
            if runuser is None:
                shutil.rmtree(base, ignore_errors=True)
                raise ServerUnavailable("running as root and runuser is missing")
            os.chown(base, account.pw_uid, account.pw_gid)
            as_user = [runuser, "-u", SERVER_USER, "--"]
        server = cls(bin_dir, base, _free_port(), as_user)
        try:
            server._run(
                str(bin_dir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {server.port}",
                    f"-k {base}",
                    # A test server: durability buys nothing and costs seconds.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                ]
            )
            server._run(
                str(bin_dir / "pg_ctl"),
                "-D",
                str(server.data),
                "-l",
                str(base / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "30",
                "start",
            )
        except BaseException:
            server.stop()
            raise
        return server

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A fresh database, empty or a copy of `template`; returns its URL."""
        name = name or f"studybot_test_{next(self._names)}"
        cloned = ["-T", template] if template else []
        self._run(
            str(self.bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            *cloned,
            name,
            as_server=False,
        )
        return self.url(name)

    def sql(self, database: str, statement: str) -> None:
        self._run(
            str(self.bin_dir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            statement,
            as_server=False,
        )

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                subprocess.run(
                    [
                        *self.as_user,
                        str(self.bin_dir / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ],
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
