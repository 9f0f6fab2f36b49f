"""How fast the gate decides, warm, on one core — and the same policy in cedarpy and in casbin, same run.

Run:  .venv/bin/python benchmarks/gate.py [--subjects 1000] [--requests 20000] [--seconds 2] [--seed 7]

The workload is the fixed seed app (examples/seed-case/fixed.yaml): a population of subjects whose
consent facts are a random mix of given (on the current or a stale notice version), refused,
withdrawn and never asked, per purpose and, for sharing, per recipient; requests are random
(subject, purpose, data, recipient) within and sometimes outside each purpose. Measured:

- `Gate.decide` with a warm cache: in-memory ledger and notices (it measures the gate, not a
  database) and an audit sink that does exactly what `AuditLog.record_decision` does (a deque append);
- the pure `rules.decide` on pre-loaded facts (what every cache miss pays);
- cedarpy: one Cedar policy, a `User` entity per subject whose `grants` set holds its live consents
  as "purpose|recipient|item" tokens, a `Purpose` entity per purpose (data, free data, recipients);
  pre-parsed `PolicySet` and `Entities` handles, context pre-serialized, `is_authorized_batch` over
  each timed batch (its fastest path);
- casbin: `FastEnforcer` indexed on (subject, purpose), a policy line per (subject, purpose, item,
  recipient) the subject may release (live consents plus the contract-necessity data); a request
  with several items is allowed when every item is (one decision = one enforce per item).

The live consents are worked out once when the peers' entities and policy lines are loaded — the
peers get the projection for free; only evaluation is timed. Agreement on allow/deny is checked
over a sample before timing. Throughput and p50/p99 are batch-timed (time N calls, divide by N).
It prints; it never asserts. Targets: >= 1,000,000 warm decisions/s on one core, >= 20x both peers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import casbin  # type: ignore[import-untyped]
import cedarpy
from casbin.model.model_fast import FastModel  # type: ignore[import-untyped]

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.consent.schemas import ConsentFact, EventKind, Mechanism, SubjectFacts
from consentgate.runtime.gate.rules import decide as decide_purely
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.policy import Policy, PurposePolicy, compile_policy

TARGET_PER_S = 1_000_000
TARGET_RATIO = 20
SEED_MANIFEST = Path(__file__).resolve().parents[1] / "examples" / "seed-case" / "fixed.yaml"
NOTICE = "privacy-policy"
CURRENT, STALE = "2024-01", "2023-06"
AT = datetime(2024, 1, 1, tzinfo=UTC)
BATCH = 1000

Request = tuple[str, str, tuple[str, ...], str | None]


# -- the population and the requests ------------------------------------------------------------


@dataclass
class World:
    policy: Policy
    facts: dict[str, SubjectFacts]
    acceptable: dict[str, frozenset[tuple[str, str]]]
    requests: list[Request]


def _fact(
    subject: str, purpose: PurposePolicy, recipient: str | None, rng: random.Random, n: int
) -> ConsentFact:
    status = rng.choices(
        [EventKind.GIVEN, EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.EXPIRED], weights=[6, 2, 2, 1]
    )[0]
    data: tuple[str, ...] = ()
    if rng.random() < 0.3:
        data = tuple(sorted(rng.sample(sorted(purpose.data), rng.randint(1, len(purpose.data)))))
    separate = recipient is not None or bool(purpose.separate_for_data)
    mechanism = Mechanism.SEPARATE if separate and rng.random() < 0.85 else Mechanism.IN_FLOW
    return ConsentFact(
        subject=subject,
        purpose=purpose.id,
        recipient=recipient,
        status=status,
        event_id=f"ev-{n}",
        notice_id=NOTICE,
        notice_version=CURRENT if rng.random() < 0.8 else STALE,
        data=data,
        mechanism=mechanism,
        updated_at=AT,
    )


def build_world(subjects: int, requests: int, seed: int) -> World:
    rng = random.Random(seed)
    policy = compile_policy(load_manifest(SEED_MANIFEST).manifest)
    consent_purposes = [p for p in policy.purposes.values() if p.needs_consent]
    facts: dict[str, SubjectFacts] = {}
    n = 0
    for i in range(subjects):
        subject = f"s{i}"
        mine: SubjectFacts = {}
        for purpose in consent_purposes:
            keys = sorted(purpose.recipients) if purpose.separate_for_recipients else [None]
            for recipient in keys:
                if rng.random() < 0.75:  # otherwise never asked
                    n += 1
                    mine[purpose.id, recipient] = _fact(subject, purpose, recipient, rng, n)
        facts[subject] = mine
    acceptable = {p: frozenset({(NOTICE, CURRENT)}) for p in policy.purposes}
    purposes = sorted(policy.purposes)
    all_data = sorted(policy.data)
    out: list[Request] = []
    for _ in range(requests):
        purpose = policy.purposes[rng.choice(purposes)]
        own = sorted(purpose.data)
        data = rng.sample(own, rng.randint(1, min(3, len(own))))
        if rng.random() < 0.05:  # outside the purpose
            data.append(rng.choice([d for d in all_data if d not in purpose.data]))
        recipient = None
        if purpose.recipients and rng.random() < 0.95:
            recipient = rng.choice(sorted(purpose.recipients))
        elif rng.random() < 0.02:  # a recipient the purpose does not declare
            recipient = rng.choice(sorted(policy.recipients))
        out.append((f"s{rng.randrange(subjects)}", purpose.id, tuple(data), recipient))
    return World(policy, facts, acceptable, out)


# -- consentgate -----------------------------------------------------------------------------------


class MemoryLedger:
    def __init__(self, facts: dict[str, SubjectFacts]) -> None:
        self._facts = facts

    def known_subject(self, subject: str) -> bool:
        return subject in self._facts

    def facts(self, subject: str) -> SubjectFacts:
        return self._facts[subject]

    def standing(self, subject: str) -> tuple[SubjectFacts, bool]:
        return self._facts[subject], False

    def subscribe(self, listener: Callable[[str], None]) -> None:
        pass


class MemoryNotices:
    def __init__(self, acceptable: Mapping[str, frozenset[tuple[str, str]]]) -> None:
        self._acceptable = acceptable

    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]:
        return self._acceptable

    def invalidate(self) -> None:
        pass

    def subscribe(self, listener: Callable[[], None]) -> None:
        pass


class DequeAudit:
    """What `AuditLog.record_decision` does on the caller's thread: one deque append."""

    def __init__(self) -> None:
        self.buffer: deque[Mapping[str, Any]] = deque(maxlen=1_000_000)

    def record_decision(self, payload: Mapping[str, Any]) -> None:
        self.buffer.append(payload)


def make_gate(world: World) -> tuple[Gate, DequeAudit]:
    audit = DequeAudit()
    gate = Gate(
        policy=world.policy,
        ledger=MemoryLedger(world.facts),
        notices=MemoryNotices(world.acceptable),
        audit=audit,
    )
    return gate, audit


def gate_batch(gate: Gate, batch: Sequence[Request]) -> float:
    decide = gate.decide
    start = time.perf_counter()
    for subject, purpose, data, recipient in batch:
        decide(subject, purpose, data, recipient)
    return time.perf_counter() - start


PureArgs = tuple[PurposePolicy, SubjectFacts, frozenset[str], str | None, frozenset[tuple[str, str]]]


def pure_args(world: World) -> list[PureArgs]:
    return [
        (world.policy.purposes[p], world.facts[s], frozenset(d), r, world.acceptable[p])
        for s, p, d, r in world.requests
    ]


def pure_batch(batch: Sequence[PureArgs]) -> float:
    decide = decide_purely
    start = time.perf_counter()
    for policy, facts, data, recipient, acceptable in batch:
        decide(policy, facts, data, recipient, acceptable)
    return time.perf_counter() - start


# -- the peers: the same policy, consent facts loaded as their entities / policy lines ----------


def live_grants(world: World, subject: str) -> set[tuple[str, str, str]]:
    """(purpose, recipient or "", item) the subject's live consents cover — worked out at load time."""
    grants: set[tuple[str, str, str]] = set()
    for (purpose_id, recipient), fact in world.facts[subject].items():
        purpose = world.policy.purposes[purpose_id]
        if fact.status is not EventKind.GIVEN:
            continue
        if (fact.notice_id, fact.notice_version) not in world.acceptable[purpose_id]:
            continue
        if purpose.separate_for_recipients and (
            recipient is None or fact.mechanism is not Mechanism.SEPARATE
        ):
            continue
        for item in fact.data or sorted(purpose.data):
            if item in purpose.separate_for_data and fact.mechanism is not Mechanism.SEPARATE:
                continue
            grants.add((purpose_id, recipient or "", item))
    return grants


def free_grants(policy: Policy) -> set[tuple[str, str, str]]:
    """What every subject may release without consent, to no recipient or to a declared one."""
    return {
        (p.id, recipient, item)
        for p in policy.purposes.values()
        for item in p.without_consent
        for recipient in ["", *sorted(p.recipients)]
    }


CEDAR_POLICY = """
permit(principal, action == Action::"process", resource)
when {
  resource.data.containsAll(context.data) &&
  (context.recipient == "" || resource.recipients.contains(context.recipient)) &&
  (resource.free.containsAll(context.data) || principal.grants.containsAll(context.tokens))
};
"""


def _token(purpose: str, recipient: str, item: str) -> str:
    return f"{purpose}|{recipient}|{item}"


class Cedar:
    def __init__(self, world: World) -> None:
        entities: list[dict[str, Any]] = [
            {
                "uid": {"type": "Purpose", "id": p.id},
                "attrs": {
                    "data": sorted(p.data),
                    "free": sorted(p.without_consent),
                    "recipients": sorted(p.recipients),
                },
                "parents": [],
            }
            for p in world.policy.purposes.values()
        ]
        for subject in world.facts:
            grants = sorted(_token(*g) for g in live_grants(world, subject))
            entities.append(
                {"uid": {"type": "User", "id": subject}, "attrs": {"grants": grants}, "parents": []}
            )
        self.entities = cedarpy.Entities.from_json_str(json.dumps(entities))
        self.policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)

    @staticmethod
    def request(request: Request) -> dict[str, Any]:
        subject, purpose, data, recipient = request
        rec = recipient or ""
        context = {"data": list(data), "tokens": [_token(purpose, rec, d) for d in data], "recipient": rec}
        return {
            "principal": f'User::"{subject}"',
            "action": 'Action::"process"',
            "resource": f'Purpose::"{purpose}"',
            "context": json.dumps(context),
        }

    def decide_batch(self, batch: list[dict[str, Any]]) -> list[bool]:
        return [r.allowed for r in cedarpy.is_authorized_batch(batch, self.policies, self.entities)]

    def timed_batch(self, batch: list[dict[str, Any]]) -> float:
        start = time.perf_counter()
        cedarpy.is_authorized_batch(batch, self.policies, self.entities)
        return time.perf_counter() - start


CASBIN_MODEL = """
[request_definition]
r = sub, pur, dat, rec

[policy_definition]
p = sub, pur, dat, rec

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.pur == p.pur && r.dat == p.dat && r.rec == p.rec
"""


class Casbin:
    def __init__(self, world: World) -> None:
        model = FastModel([0, 1])  # policies indexed on (subject, purpose): its fastest lookup
        model.load_model_from_text(CASBIN_MODEL)
        self.enforcer = casbin.FastEnforcer(model, cache_key_order=[0, 1])
        free = free_grants(world.policy)
        for subject in world.facts:
            lines = [[subject, p, d, r] for p, r, d in sorted(live_grants(world, subject) | free)]
            self.enforcer.add_policies(lines)
        self.enforcer.enable_log = False

    def decide(self, request: Request) -> bool:
        subject, purpose, data, recipient = request
        enforce = self.enforcer.enforce
        rec = recipient or ""
        return all(enforce(subject, purpose, item, rec) for item in data)

    def timed_batch(self, batch: Sequence[Request]) -> float:
        decide = self.decide
        start = time.perf_counter()
        for request in batch:
            decide(request)
        return time.perf_counter() - start


# -- timing ------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    per_s: float
    p50_ns: float
    p99_ns: float
    calls: int


def measure(name: str, batches: Sequence[Any], timed: Callable[[Any], float], seconds: float) -> Result:
    """Runs batches round-robin for about `seconds`; per-call latency of each batch = its time / its size."""
    per_call: list[float] = []
    total_time = 0.0
    calls = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline or not per_call:
        batch = batches[i % len(batches)]
        elapsed = timed(batch)
        per_call.append(elapsed / len(batch))
        total_time += elapsed
        calls += len(batch)
        i += 1
    quantiles = statistics.quantiles(per_call, n=100) if len(per_call) > 1 else per_call * 99
    return Result(name, calls / total_time, quantiles[49] * 1e9, quantiles[98] * 1e9, calls)


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- main --------------------------------------------------------------------------------------------


def pin_one_core(cpu: int | None) -> str:
    if hasattr(os, "sched_setaffinity"):
        allowed = os.sched_getaffinity(0)
        if cpu is not None and cpu not in allowed:
            raise SystemExit(f"--cpu {cpu}: not one of the allowed cores {sorted(allowed)}")
        cpu = min(allowed) if cpu is None else cpu
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per engine")
    parser.add_argument("--sample", type=int, default=3000, help="requests checked for agreement")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cpu", type=int, default=None, help="the core to pin to (default: the first allowed)"
    )
    args = parser.parse_args(argv)

    pinned = pin_one_core(args.cpu)
    print(f"consentgate gate benchmark — Python {sys.version.split()[0]}, {pinned}")
    world = build_world(args.subjects, args.requests, args.seed)
    facts = sum(len(f) for f in world.facts.values())
    print(
        f"workload: seed app ({SEED_MANIFEST.name}), {args.subjects} subjects, {facts} consent facts, "
        f"{len(world.requests)} random requests, batches of {BATCH} (casbin: 100)"
    )

    gate, audit = make_gate(world)
    cedar = Cedar(world)
    peer_casbin = Casbin(world)

    # Agreement on allow/deny, before anything is timed.
    sample = world.requests[: args.sample]
    ours = [gate.decide(*r).allowed for r in sample]
    pure = [
        decide_purely(*a).allowed
        for a in pure_args(World(world.policy, world.facts, world.acceptable, sample))
    ]
    theirs_cedar = cedar.decide_batch([Cedar.request(r) for r in sample])
    theirs_casbin = [peer_casbin.decide(r) for r in sample]
    disagree = {
        "pure": sum(a != b for a, b in zip(ours, pure, strict=True)),
        "cedarpy": sum(a != b for a, b in zip(ours, theirs_cedar, strict=True)),
        "casbin": sum(a != b for a, b in zip(ours, theirs_casbin, strict=True)),
    }
    allowed = sum(ours)
    print(
        f"agreement over {len(sample)} requests ({allowed} allowed, {len(sample) - allowed} denied): "
        + ", ".join(f"{k}: {'all agree' if v == 0 else f'{v} DISAGREE'}" for k, v in disagree.items())
    )

    # Warm the gate's cache on every request, then time.
    for request in world.requests:
        gate.decide(*request)
    audit.buffer.clear()
    request_batches = chunks(world.requests, BATCH)
    results = [
        measure(
            "consentgate Gate.decide (warm)", request_batches, lambda b: gate_batch(gate, b), args.seconds
        ),
        measure("consentgate rules.decide (pure)", chunks(pure_args(world), BATCH), pure_batch, args.seconds),
        measure(
            "cedarpy is_authorized_batch",
            chunks([Cedar.request(r) for r in world.requests], BATCH),
            cedar.timed_batch,
            args.seconds,
        ),
        measure(
            "casbin FastEnforcer.enforce", chunks(world.requests, 100), peer_casbin.timed_batch, args.seconds
        ),
    ]
    audited = len(audit.buffer)

    print()
    print(f"{'engine':<34} {'decisions/s':>14} {'p50 ns':>10} {'p99 ns':>10} {'calls':>12}")
    for r in results:
        print(f"{r.name:<34} {r.per_s:>14,.0f} {r.p50_ns:>10,.0f} {r.p99_ns:>10,.0f} {r.calls:>12,}")
    gate_result, pure_result, cedar_result, casbin_result = results
    print()
    print(
        f"warm gate: {gate_result.per_s:,.0f} decisions/s on one core (target >= {TARGET_PER_S:,}): "
        f"{'met' if gate_result.per_s >= TARGET_PER_S else 'NOT met'}"
    )
    for peer in (cedar_result, casbin_result):
        ratio = gate_result.per_s / peer.per_s
        print(
            f"consentgate / {peer.name.split()[0]}: {ratio:,.1f}x (target >= {TARGET_RATIO}x): "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
    print(
        f"pure decide / cedarpy: {pure_result.per_s / cedar_result.per_s:,.1f}x, "
        f"pure decide / casbin: {pure_result.per_s / casbin_result.per_s:,.1f}x"
    )
    print(
        f"released-data decisions handed to the audit sink while timing the gate: {audited:,} (buffer capped)"
    )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
