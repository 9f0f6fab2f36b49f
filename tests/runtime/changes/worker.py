"""A second process with its own Engine, driven over stdin/stdout by `test_two_processes.py`.

`python -m tests.runtime.changes.worker URL TENANT` answers one JSON line per command line:
- `decide SUBJECT` -> {"allowed", "reason", "before", "after"} (the feed's state around the call)
- `await SUBJECT allow|deny TIMEOUT` -> decides every 0.5 ms until the answer is the one awaited:
  {"seen", "at", "last_other_started"} (monotonic times; Linux's monotonic clock is system-wide)
- `state STATE TIMEOUT` -> waits until the feed is in that state: {"state"}
- `quit`
Its feed reconnects only after a pause (`retry`, 5 s), so a test can look at it while it is down.
"""

from __future__ import annotations

import json
import sys
import time

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.engine import Engine
from consentgate.store.database import Database
from tests.runtime.conftest import SEED_FIXED

PURPOSE, DATA = "marketing-sms", "phone"


def main(url: str, tenant: str) -> None:
    hub = ChangeHub(url, retry=5.0)
    with Engine(load_manifest(SEED_FIXED), Database(url), tenant=tenant, changes=hub) as engine:
        _reply({"ready": True, "state": hub.state.value})
        for line in sys.stdin:
            command, *args = line.split()
            if command == "quit":
                break
            if command == "decide":
                before = hub.state.value
                decision = engine.gate.decide(args[0], PURPOSE, DATA)
                _reply(
                    {
                        "allowed": decision.allowed,
                        "reason": decision.reason_code.value,
                        "before": before,
                        "after": hub.state.value,
                    }
                )
            elif command == "await":
                _reply(_await(engine, args[0], args[1] == "allow", float(args[2])))
            elif command == "state":
                deadline = time.monotonic() + float(args[1])
                while hub.state.value != args[0] and time.monotonic() < deadline:
                    time.sleep(0.01)
                _reply({"state": hub.state.value})


def _await(engine: Engine, subject: str, allowed: bool, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    last_other_started = None
    while True:
        started = time.monotonic()
        if engine.gate.decide(subject, PURPOSE, DATA).allowed is allowed:
            return {"seen": True, "at": time.monotonic(), "last_other_started": last_other_started}
        last_other_started = started
        if started > deadline:
            return {"seen": False, "at": started, "last_other_started": last_other_started}
        time.sleep(0.0005)


def _reply(answer: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
