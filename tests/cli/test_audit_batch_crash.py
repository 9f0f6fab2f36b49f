"""A batch survives a worker that dies: only the file it was on is lost, and that file says so.

The worker is killed for real, with SIGKILL, as the OOM killer or a segfault would end it: no hook
in the product. To kill it while it is on a known file, that file is a named pipe (FIFO) in the
test's tmp folder: the worker blocks opening it until the test opens the other end, and the test
then finds the process holding the pipe in /proc and kills it. The pipe is given by name on the
command line (a folder scan skips anything that is not a regular file).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consentgate.i18n import message

ROOT = Path(__file__).resolve().parents[2]
SEED_FIXED = ROOT / "examples" / "seed-case" / "fixed.yaml"
# Generous: the test waits on readiness (a reader on the pipe, its fd in /proc), never on a delay;
# the deadline only keeps a broken product from hanging the run.
DEADLINE = 180.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")


def _start(tmp_path: Path, *names: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "consentgate", "audit", *names, "--jobs", "2", "--json", "report.json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _open_writer(pipe: Path, cli: subprocess.Popen[str]) -> int:
    """Opens the pipe's write end once a worker has opened its read end."""
    end = time.monotonic() + DEADLINE
    while True:
        try:
            return os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        assert cli.poll() is None, "the audit ended without ever reading the pipe"
        assert time.monotonic() < end, "no worker opened the pipe"
        time.sleep(0.01)


def _holder(pipe: Path, cli: subprocess.Popen[str]) -> int:
    """The pid of the process that has the pipe open (its fd appears once its open() returns)."""
    end = time.monotonic() + DEADLINE
    while True:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            if _holds(int(proc.name), pipe):
                return int(proc.name)
        assert time.monotonic() < end, "no process holds the pipe"
        time.sleep(0.01)


def _holds(pid: int, pipe: Path) -> bool:
    try:
        return str(pipe.resolve()) in [str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False  # gone (a zombie has no fds left)


def _kill_reader(pipe: Path, cli: subprocess.Popen[str]) -> int:
    writer = _open_writer(pipe, cli)
    try:
        pid = _holder(pipe, cli)
        assert pid != cli.pid, "the file must be read in a worker process, not in the command itself"
        os.kill(pid, signal.SIGKILL)
        # kill() returns before the process is gone: until it lets go of the pipe, a new writer
        # would meet the dying reader instead of the retry's.
        end = time.monotonic() + DEADLINE
        while _holds(pid, pipe):
            assert time.monotonic() < end, "the killed worker still holds the pipe"
            time.sleep(0.01)
    finally:
        os.close(writer)
    return pid


def _feed_reader(pipe: Path, cli: subprocess.Popen[str], content: bytes) -> None:
    writer = _open_writer(pipe, cli)
    os.set_blocking(writer, True)
    try:
        os.write(writer, content)
    finally:
        os.close(writer)


def _batch(tmp_path: Path) -> tuple[Path, list[str]]:
    names = []
    for index in range(3):
        name = f"app-{index}.yaml"
        (tmp_path / name).write_bytes(SEED_FIXED.read_bytes())
        names.append(name)
    pipe = tmp_path / "doomed.yaml"
    os.mkfifo(pipe)
    names.insert(1, pipe.name)
    return pipe, names


def test_worker_killed_on_a_file_costs_only_that_file(tmp_path: Path) -> None:
    pipe, names = _batch(tmp_path)
    cli = _start(tmp_path, *names)
    first = _kill_reader(pipe, cli)  # in the batch's pool
    second = _kill_reader(pipe, cli)  # retried alone, in a pool of its own
    stdout, stderr = cli.communicate(timeout=DEADLINE)

    assert first != second
    assert cli.returncode == 2, stderr  # a file that could not be audited, like any load error
    assert "Traceback" not in stdout + stderr
    reports = json.loads((tmp_path / "report.json").read_text("utf-8"))["manifests"]
    assert [r["path"] for r in reports] == names
    by_path = {r["path"]: r for r in reports}
    crash = message("error.worker_crashed", path=pipe.name, cause=message("error.worker_crashed.cause"))
    assert by_path[pipe.name]["errors"] == [{"zh": crash.zh, "en": crash.en}]
    assert crash.zh in stderr and crash.en in stderr
    for name in names:
        if name != pipe.name:
            assert by_path[name]["errors"] == [] and by_path[name]["app"], by_path[name]


def test_file_that_was_only_beside_a_dying_worker_is_audited_on_retry(tmp_path: Path) -> None:
    pipe, names = _batch(tmp_path)
    cli = _start(tmp_path, *names)
    _kill_reader(pipe, cli)
    _feed_reader(pipe, cli, SEED_FIXED.read_bytes())  # the retry alone succeeds
    stdout, stderr = cli.communicate(timeout=DEADLINE)

    assert cli.returncode == 0, stderr
    assert "Traceback" not in stdout + stderr
    reports = json.loads((tmp_path / "report.json").read_text("utf-8"))["manifests"]
    assert [r["path"] for r in reports] == names
    assert all(r["errors"] == [] and r["app"] for r in reports), reports
