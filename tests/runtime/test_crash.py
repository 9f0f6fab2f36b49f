"""A process killed with SIGKILL mid-burst loses no acknowledged consent event and leaves the chain verifiable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from consentgate.runtime.engine import Engine

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"

WRITER = textwrap.dedent(
    """
    import sys
    from consentgate.runtime.engine import Engine

    engine = Engine.from_manifest(sys.argv[1], database_url=sys.argv[2])
    notice = engine.notices.current("privacy-policy")
    for n in range(100_000):
        subject = f"user-{n % 50}"
        engine.consent.register_subject(subject)
        if n % 3 == 2:
            event = engine.consent.withdraw(subject, "marketing-sms")
        else:
            event = engine.consent.give(
                subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version, data=("phone",)
            )
        engine.gate.decide(subject, "marketing-sms", "phone")
        print(event.event_id, flush=True)  # printed only after the transaction committed: an acknowledgement
    """
)


def test_sigkill_mid_burst_loses_no_acknowledged_event(database_url: str) -> None:
    Engine.from_manifest(FIXED, database_url=database_url).close()  # schema and notices in place first
    acknowledged: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(FIXED), database_url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            acknowledged.append(line.strip())
            if len(acknowledged) >= 150:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        # Lines already in the pipe were acknowledged before the kill, too.
        acknowledged.extend(line.strip() for line in process.stdout if line.strip())
    assert process.returncode == -signal.SIGKILL

    with Engine.from_manifest(FIXED, database_url=database_url) as engine:
        stored = {event.event_id for event in engine.consent.events()}
        missing = [event_id for event_id in acknowledged if event_id not in stored]
        assert missing == [], f"{len(missing)} acknowledged events lost"
        report = engine.auditlog.verify()
        assert report.ok, report.problem
        assert engine.consent.rebuild() == len(stored)
