"""A fixture site that really crashes the browser that visits it (or the Ray worker driving that browser).

Nothing in consentgate is patched: when a page of this site is requested, the server finds, through
/proc, the process on the other end of that very TCP connection (Chromium's network service, or the
browser itself), climbs to the top of that Chromium's process tree and kills it with SIGKILL — what an
out-of-memory killer or a segfault does to a browser. With `/worker/...` it climbs one step further,
past the Playwright driver, to the Python process that drives it: a Ray worker, which dies too. Only
the processes on the other end of our own loopback connection are ever touched.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

_PROC = Path("/proc")


@dataclass
class Kills:
    """What the site killed, per request: (path, pid, command name)."""

    done: list[tuple[str, int, str]] = field(default_factory=list)


def _socket_inode(client_port: int, server_port: int) -> str | None:
    """The inode of the client's end of the connection client_port -> server_port (IPv4 loopback)."""
    for line in (_PROC / "net" / "tcp").read_text().splitlines()[1:]:
        columns = line.split()
        local, remote, inode = columns[1], columns[2], columns[9]
        if int(local.split(":")[1], 16) == client_port and int(remote.split(":")[1], 16) == server_port:
            return inode
    return None


def _owner(inode: str) -> int | None:
    wanted = f"socket:[{inode}]"
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(str(fd.readlink()) == wanted for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def _parent(pid: int) -> int:
    status = (_PROC / str(pid) / "status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])


def _comm(pid: int) -> str:
    return (_PROC / str(pid) / "comm").read_text().strip()


def _cmdline(pid: int) -> str:
    return (_PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _browser_of(pid: int) -> int:
    """The top of the Chromium tree `pid` belongs to: the browser process itself."""
    while _comm(_parent(pid)).startswith("chrom"):
        pid = _parent(pid)
    return pid


def _victim(request: Request, *, worker: bool) -> int | None:
    client = request.client
    server = request.scope.get("server")
    if client is None or server is None:
        return None
    inode = _socket_inode(client.port, server[1])
    owner = _owner(inode) if inode is not None else None
    if owner is None:
        return None
    browser = _browser_of(owner)
    if not worker:
        return browser
    driver = _parent(browser)  # the Playwright driver (node); its parent drives it from Python
    python = _parent(driver)
    # Never the test process, never anything but a Ray worker.
    if python == os.getpid() or "ray" not in _cmdline(python).lower():
        return None
    return python


def crash_site(kills: Kills) -> Starlette:
    """`/browser/<anything>` kills the visiting browser; `/worker/<anything>` kills its Ray worker."""

    async def crash(request: Request) -> Response:
        what = request.path_params["what"]
        if what not in ("browser", "worker"):  # /favicon.ico and the like: nothing to kill
            return Response(status_code=404)
        worker = what == "worker"
        pid = _victim(request, worker=worker)
        if pid is not None:
            kills.done.append((request.url.path, pid, _comm(pid)))
            os.kill(pid, signal.SIGKILL)
        return HTMLResponse("<!doctype html><title>crash</title><p>never seen</p>")

    return Starlette(routes=[Route("/{what:str}/{rest:path}", crash)])
