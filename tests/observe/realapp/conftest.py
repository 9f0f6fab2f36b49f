"""A real open-source web app to observe: the Roundup issue tracker, installed from PyPI, served on loopback.

Roundup (`roundup` in the dev dependencies, so `make install` brings it) is not written here: its classic
template has a real Register page (name, login name, password, phone, organisation, e-mail) that sends
a confirmation mail. The fixture installs two trackers in a temporary folder, one for each device the
tests observe (a login name registers once per tracker), and serves both from one `roundup-server` on a
free loopback port.

Two settings differ from Roundup's defaults, both for the test machine rather than for the observation:
mail goes to a file (`mail_debug`; there is no SMTP server here, and the file is how the tests see the
confirmation mail the sign-up caused), and `registration_delay` is 0 — Roundup refuses a Register form
sent within 4 seconds of being shown, an anti-bot delay the walker, which never waits on a clock, would
otherwise always hit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # the project's .venv/bin, where uv installs roundup's scripts
TRACKERS = ("desktop", "phone")
READY_GUARD = 120.0  # seconds: a guard against a server that never comes up, not an expectation of speed
STOP_GUARD = 30.0


@dataclass(frozen=True)
class Tracker:
    """One installed tracker: its sign-up page and the file its outgoing mail is written to."""

    name: str
    home: Path
    base: str

    @property
    def register(self) -> str:
        return f"{self.base}user?@template=register"

    @property
    def mailbox(self) -> Path:
        return self.home / "mail.txt"


@dataclass(frozen=True)
class Roundup:
    version: str
    trackers: dict[str, Tracker]
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _admin(*args: str) -> str:
    done = subprocess.run(
        [str(BIN / "roundup-admin"), *args], capture_output=True, text=True, timeout=READY_GUARD, check=False
    )
    assert done.returncode == 0, f"roundup-admin {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _install(home: Path, base: str) -> None:
    options = ",".join(
        (
            f"tracker_web={base}",
            "mail_domain=localhost",
            f"mail_debug={home / 'mail.txt'}",
            "web_registration_delay=0",
        )
    )
    _admin("-i", str(home), "install", "classic", "anydbm", options)
    _admin("-i", str(home), "initialise", "admin-secret-not-used")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll the sign-up page until it answers; the server dying or the guard passing fails with its log."""
    deadline = time.monotonic() + READY_GUARD
    while not _answers(url):
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"roundup-server did not come up on {url}:\n{log.read_text('utf-8', 'replace')}")
        time.sleep(0.1)  # between two polls of readiness, not a wait for it


@pytest.fixture(scope="session")
def roundup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roundup]:
    """Both trackers installed and served; the server is stopped when the session ends."""
    if not (BIN / "roundup-server").exists():
        message = f"roundup is not installed in {BIN}; run `make install` (it is a dev dependency)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("roundup")
    port = _free_port()
    trackers = {name: Tracker(name, root / name, f"http://127.0.0.1:{port}/{name}/") for name in TRACKERS}
    for tracker in trackers.values():
        _install(tracker.home, tracker.base)
    version = subprocess.run(
        [str(BIN / "roundup-server"), "-v"], capture_output=True, text=True, check=True, timeout=STOP_GUARD
    ).stdout.split()[0]
    log = root / "server.log"
    with log.open("wb") as out:
        # Roundup refuses to run as root unless told which user to be: name the current one (ignored,
        # with a warning, for anyone else).
        server = subprocess.Popen(
            [
                str(BIN / "roundup-server"),
                *("-n", "127.0.0.1", "-p", str(port), "-u", str(os.getuid()), "-t", "thread"),
                *(f"{t.name}={t.home}" for t in trackers.values()),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for tracker in trackers.values():
            _wait_ready(server, tracker.register, log)
        yield Roundup(version, trackers, log)
    finally:
        server.terminate()
        try:
            server.wait(STOP_GUARD)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(STOP_GUARD)
