"""Summed PSS of the real `clusternews run` process tree with everything loaded.

    python benchmarks/memory.py [--workers 2] [--settle 5] [--timeout 300]

Starts the demo sites on loopback (`python -m clusternews.demo.server --feeds …`, its own
process, not counted), then `clusternews --workers N run` on a fresh SQLite file in a temporary
folder. Waits until the first ingest has stored every demo article and the count has been still
for `--settle` seconds, asks the web server for a few pages (so the web side is loaded too), and
prints RSS, PSS and USS per process of the `run` tree from /proc/<pid>/smaps_rollup, their sum,
and the peak summed PSS sampled every 0.2 s while ingesting. PSS divides a shared page among the
processes that map it, so the sum is what the tree costs the machine. Linux only.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.request import urlopen

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/", "/feed.json", "/api/items?q=klynge", "/?region=Nordland", "/metrics")
ITEMS_RE = re.compile(r"^clusternews_items_stored (\d+(?:\.\d+)?)$", re.MULTILINE)


def smaps_rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and Private_* of one process, in KiB (empty if it is gone)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    out[key] = int(rest.split()[0])
    except OSError:
        return {}
    return out


def children(pid: int) -> list[int]:
    """Every live descendant of `pid`, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as handle:
                    kids = [int(k) for k in handle.read().split()]
            except OSError:
                continue
            found += kids
            stack += kids
    return found


def tree(pid: int) -> list[int]:
    return [pid, *children(pid)]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return " ".join(a.decode(errors="replace") for a in handle.read().split(b"\0") if a)
    except OSError:
        return "?"


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return int(handle.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def command(pid: int) -> str:
    text = _cmdline(pid)
    if "forkserver" in text and "forkserver" in _cmdline(_parent(pid)):
        return "ingest worker (forked from the forkserver)"
    for marker, label in (("forkserver", "worker pool's forkserver (models preloaded)"),
                          ("resource_tracker", "multiprocessing resource tracker"),
                          ("multiprocessing", "ingest worker")):
        if marker in text:
            return label
    return text[-70:]


def summed_pss_kib(pid: int) -> int:
    return sum(smaps_rollup(p).get("Pss", 0) for p in tree(pid))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> str:
    with urlopen(url, timeout=30) as response:  # noqa: S310 (loopback only)
        return str(response.read().decode("utf-8", errors="replace"))


def items_stored(base: str) -> int:
    try:
        found = ITEMS_RE.search(get(base + "/metrics"))
    except OSError:
        return -1
    return int(float(found.group(1))) if found else -1


def wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size > 0):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"demo server did not write {path}")
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=None,
                        help="--workers for `run` (default: not given, the built-in default)")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds the item count must stay still (default 5)")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    exe = Path(sys.executable)
    tmp = tempfile.TemporaryDirectory(prefix="clusternews-memory-")
    feeds = Path(tmp.name) / "feeds.yaml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    site = subprocess.Popen([exe, "-m", "clusternews.demo.server", "--feeds", str(feeds)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run: subprocess.Popen[bytes] | None = None
    try:
        wait_for(feeds, site, 60)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [str(exe.parent / "clusternews"), "--config", str(feeds),
               "--db", f"sqlite:///{Path(tmp.name) / 'memory.db'}"]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        cmd += ["run", "--port", str(port)]
        started = time.monotonic()
        run = subprocess.Popen(cmd, env=env, cwd=tmp.name, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                assert run is not None
                peak[0] = max(peak[0], summed_pss_kib(run.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        count, still_since = -1, time.monotonic()
        while True:
            if run.poll() is not None:
                err = run.stderr.read().decode(errors="replace") if run.stderr else ""
                raise SystemExit(f"`run` exited with {run.returncode}:\n{err[-2000:]}")
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"timed out; {count} items stored")
            now = items_stored(base)
            if now != count:
                count, still_since = now, time.monotonic()
            elif count > 0 and time.monotonic() - still_since >= args.settle:
                break
            time.sleep(0.5)
        for page in PAGES:
            try:
                get(base + page)
            except OSError as exc:  # HTTPError too: a page's bug is not this benchmark's
                print(f"note: GET {page} failed: {exc}", file=sys.stderr)
        stop.set()
        sampler.join()
        pids = tree(run.pid)
        rows = [(pid, smaps_rollup(pid)) for pid in pids]
        print(f"`clusternews run` ({'default' if args.workers is None else args.workers} "
              f"workers): {count} items stored, first ingest settled after "
              f"{time.monotonic() - started - args.settle:.0f} s\n")
        print(f"{'pid':>8} {'RSS MiB':>9} {'PSS MiB':>9} {'USS MiB':>9}  process")
        total = {"Rss": 0, "Pss": 0, "Uss": 0}
        for pid, roll in rows:
            uss = roll.get("Private_Clean", 0) + roll.get("Private_Dirty", 0)
            total["Rss"] += roll.get("Rss", 0)
            total["Pss"] += roll.get("Pss", 0)
            total["Uss"] += uss
            print(f"{pid:>8} {roll.get('Rss', 0) / 1024:>9.0f} {roll.get('Pss', 0) / 1024:>9.0f} "
                  f"{uss / 1024:>9.0f}  {command(pid)}")
        print(f"{'sum':>8} {total['Rss'] / 1024:>9.0f} {total['Pss'] / 1024:>9.0f} "
              f"{total['Uss'] / 1024:>9.0f}  ({len(rows)} processes)")
        print(f"\nsummed PSS, everything loaded: {total['Pss'] / 1024:.0f} MiB; "
              f"peak while ingesting: {max(peak[0], total['Pss']) / 1024:.0f} MiB")
        return 0
    finally:
        for proc in (run, site):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
