"""The PostgreSQL the tests run on: the one at $CLUSTERNEWS_TEST_PG, else a throwaway server.

When nothing answers at the URL, a server is made with initdb/pg_ctl into a temporary folder
on a free loopback port (fsync off: it lives for one pytest session) and removed at the end.
Without PostgreSQL's binaries, or when the server at the URL refuses us, the run stops with
one line saying what to do, never a wall of connection errors.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Unavailable(Exception):
    """No PostgreSQL for the tests; the message is the one line shown to the user."""


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _listening(url: URL) -> bool:
    if not url.host or url.host.startswith("/"):
        return True  # a Unix socket: let the connection attempt speak for itself
    try:
        with socket.create_connection((url.host, url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def _check(url: URL) -> None:
    """Connect once; create the database when only it is missing."""
    try:
        psycopg.connect(_libpq(url), connect_timeout=5).close()
        return
    except psycopg.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else repr(e)
        if f'database "{url.database}" does not exist' not in first:
            raise Unavailable(
                f"PostgreSQL at {url.render_as_string()} refused the tests: {first}"
                " (set CLUSTERNEWS_TEST_PG to a server and database you may use)"
            ) from None
    with psycopg.connect(_libpq(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{url.database}"')  # type: ignore[arg-type]


def _bindir() -> Path | None:
    """PostgreSQL's own bin folder (pg_ctl finds `postgres` beside itself), newest first."""
    found = shutil.which("pg_ctl")
    candidates = [Path(os.path.realpath(found)).parent] if found else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    versions.sort(
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0, reverse=True
    )
    candidates += [Path(p) for p in versions]
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists() and (d / "postgres").exists():
            return d
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Throwaway:
    """A PostgreSQL server of our own in a temporary folder, on a free loopback port (fsync
    off). `stop`/`start`/`restart` keep its data, so a test can take the server away under a
    running process; `remove` stops it for good and deletes the folder."""

    def __init__(self, url: URL | str = DEFAULT_URL) -> None:
        url = sa.make_url(url) if isinstance(url, str) else url
        bindir = _bindir()
        if bindir is None:
            raise Unavailable(
                f"nothing answers at {url.render_as_string()} and PostgreSQL is not installed: "
                "install it (Debian: apt-get install postgresql) or set CLUSTERNEWS_TEST_PG"
            )
        self.bindir, self.port = bindir, _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="clusternews-pg-"))
        self.user: str | None = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self.user = "postgres" if _has_user("postgres") else "nobody"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.wanted = url
        self.url = url.set(host="127.0.0.1", port=self.port, password=None)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            url.username or "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.start()
        try:
            _check(self.url)
        except BaseException:
            self.remove()
            raise

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            user=self.user,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            shutil.rmtree(self.root, ignore_errors=True)
            raise Unavailable(
                f"nothing answers at {self.wanted.render_as_string()} and a "
                f"throwaway PostgreSQL did not start ({args[0]}: {tail[0]})"
            )

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=200",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (its clients' connections are cut), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        # -l: without a log file the new server would write to (and hold open) our pipe
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-m",
            mode,
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=200",
            "restart",
        )

    def remove(self) -> None:
        subprocess.run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            user=self.user,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _throwaway(url: URL) -> tuple[URL, Callable[[], None]]:
    server = Throwaway(url)
    return server.url, server.remove


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def provide(raw: str | None) -> tuple[str, Callable[[], None]]:
    """The URL the tests use and what to call at the end of the session."""
    url = sa.make_url(raw or DEFAULT_URL)
    if _listening(url):
        _check(url)
        return raw or DEFAULT_URL, lambda: None
    started, stop = _throwaway(url)
    return started.render_as_string(hide_password=False), stop
