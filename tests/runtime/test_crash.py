"""A process killed with SIGKILL mid-burst loses no acknowledged consent event, leaves the chain
verifiable, and loses at most the decisions its bounded audit buffer could hold."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from consentgate.runtime.engine import Engine

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"
MAX_PENDING, BATCH = 100, 20

WRITER = textwrap.dedent(
    f"""
    import sys
    from consentgate.runtime.engine import Engine

    engine = Engine.from_manifest(sys.argv[1], database_url=sys.argv[2])
    engine.auditlog.max_pending, engine.auditlog.batch_size = {MAX_PENDING}, {BATCH}
    notice = engine.notices.current("privacy-policy")
    for n in range(100_000):
        subject = f"user-{{n % 50}}"
        engine.consent.register_subject(subject)
        if n % 3 == 2:
            event = engine.consent.withdraw(subject, "marketing-sms")
        else:
            event = engine.consent.give(
                subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version, data=("phone",)
            )
        print("e", event.event_id, flush=True)  # printed only after the transaction committed: an acknowledgement
        for _ in range(20):
            if engine.gate.decide(subject, "marketing-sms", "phone").allowed:
                print("d", flush=True)  # the caller was told yes: a decision acknowledged
    """
)


def test_sigkill_mid_burst_loses_no_acknowledged_event_and_at_most_the_buffered_decisions(
    database_url: str,
) -> None:
    Engine.from_manifest(
        FIXED, create=True, database_url=database_url
    ).close()  # schema and notices in place first
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(FIXED), database_url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if sum(1 for seen in lines if seen.startswith("e ")) >= 150:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)  # a guard on a SIGKILLed process ending, not a clock
        # Lines already in the pipe were acknowledged before the kill, too.
        lines.extend(line.strip() for line in process.stdout if line.strip())
    assert process.returncode == -signal.SIGKILL
    acknowledged = [line.split()[1] for line in lines if line.startswith("e ")]
    decisions = lines.count("d")

    with Engine.from_manifest(FIXED, create=True, database_url=database_url) as engine:
        stored = {event.event_id for event in engine.consent.events()}
        missing = [event_id for event_id in acknowledged if event_id not in stored]
        assert missing == [], f"{len(missing)} acknowledged events lost"
        report = engine.auditlog.verify()
        assert report.ok, report.problem
        assert engine.consent.rebuild() == len(stored)
        with engine.database.reading() as session:
            written = session.execute(
                text("SELECT count(*) FROM audit_records WHERE kind = 'decision'")
            ).scalar_one()
    # Decisions are recorded in the order they were made, so the lost ones are the newest: at most
    # what the buffer holds plus the one batch being committed, however slow the machine.
    assert decisions > 0
    assert decisions - written <= MAX_PENDING + BATCH, f"{decisions - written} acknowledged decisions lost"
