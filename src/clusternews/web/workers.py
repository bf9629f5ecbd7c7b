"""`serve --web-workers N`: N worker processes, each with a listening socket of its own.

uvicorn's own `workers=N` shares one listening socket between the processes, and the kernel
hands a keep-alive client's connections to whichever process wakes first: measured with wrk
on a region feed, 4 and 20 clients all landed on one of two workers (9.1 s and 9.7 s of CPU
against 0.05 s), so one core served everything. With SO_REUSEPORT every worker binds the same
port with its own socket and the kernel spreads connections over them.

The parent only supervises: a worker that dies is started again (after a pause, so a worker
that cannot start does not spin), and SIGINT or SIGTERM stops them all.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a dead worker is started again


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other processes may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    # Accepted connections inherit it: no 40 ms Nagle/delayed-ACK stall on small answers.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def serve_one(host: str, port: int) -> None:
    """One worker: its own socket, its app built from the environment `serve` set."""
    import uvicorn

    from clusternews.web.app import app_from_env

    # The app first: a socket bound while the app loads would hold its share of the
    # connections unanswered for those seconds.
    config = uvicorn.Config(app_from_env(), log_level="warning")
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def supervise(host: str, port: int, processes: int) -> None:
    """Start `processes` workers and keep them running until SIGINT or SIGTERM."""
    # Bound once here first, so a port in use is one clear error before any worker starts.
    listening_socket(host, port).close()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        worker = context.Process(target=serve_one, args=(host, port), name="clusternews-web")
        worker.start()
        return worker

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    workers = [start() for _ in range(processes)]
    try:
        while not stopping:
            wait([w.sentinel for w in workers], timeout=0.5)
            for i, worker in enumerate(workers):
                if not worker.is_alive() and not stopping:
                    log.warning(
                        "web worker %s exited (%s); starting another", worker.pid, worker.exitcode
                    )
                    time.sleep(RESTART_PAUSE)
                    workers[i] = start()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes open requests and exits
        deadline = time.monotonic() + 20
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
