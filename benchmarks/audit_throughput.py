"""How fast `consentgate audit` is per manifest: parse + validate + every rule + JSON report.

Run:  .venv/bin/python benchmarks/audit_throughput.py [--n 10000] [--workers 2] [--seed 7]

Generates N varied manifests (small ~5 data items; typical ~20 data, 8 purposes, 4 screens; large
~150 data, 40 purposes, 20 screens; mixed app types; fixed seed) in a temporary folder, then
measures manifests/s on one process and on all cores, per-manifest latency percentiles, peak
memory, and a ratio against a peer run in the same process: plain `yaml.safe_load` + `json.dumps`
of the same files, the floor any YAML-reading tool pays. It prints numbers; it never asserts.
Target to report against: >= 1,000 typical manifests/s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.report.json_report import render_json
from consentgate.audit.summary import FailOn
from consentgate.law.catalog import load_catalog
from consentgate.manifest.models import (
    AudienceSource,
    Basis,
    Channel,
    DataSource,
    NoticeTiming,
    OptOut,
    PurposeKind,
    RecipientKind,
    ScreenAction,
    WithdrawalChannel,
)
from consentgate.rules.base import all_rules

TARGET_TYPICAL_PER_S_ON_2_CORES = 1_000
MAINTAINED_SHARE = 0.7


@dataclass(frozen=True)
class Size:
    name: str
    share: float
    data: int
    purposes: int
    screens: int
    recipients: int


SIZES = (
    Size("small", 0.30, data=5, purposes=2, screens=1, recipients=0),
    Size("typical", 0.60, data=20, purposes=8, screens=4, recipients=3),
    Size("large", 0.10, data=150, purposes=40, screens=20, recipients=10),
)


# ---------------------------------------------------------------- JSON serialization


def _json_serializer() -> tuple[Callable[[ManifestReport], str], str]:
    """The real JSON report of `consentgate audit --json`, one document per manifest."""
    rules = all_rules()
    when = datetime(2024, 1, 1, tzinfo=UTC)

    def serialize(report: ManifestReport) -> str:
        document = AuditDocument.build([report], fail_on=FailOn.MEDIUM, generated_at=when, rules=rules)
        return render_json(document)

    return serialize, "consentgate.audit.report.json_report.render_json"


# ---------------------------------------------------------------- manifest generation


def _jitter(rng: random.Random, value: int) -> int:
    return max(1, round(value * rng.uniform(0.8, 1.2)))


def _purpose(
    rng: random.Random, index: int, data_ids: list[str], recipient_ids: list[str], maintained: bool
) -> dict[str, Any]:
    kind = rng.choice(list(PurposeKind))
    if maintained:  # the basis the law expects for the kind of purpose
        basis = Basis.CONTRACT_NECESSITY if kind is PurposeKind.BASIC_FUNCTION else Basis.CONSENT
        if kind is PurposeKind.SHARING:
            basis = Basis.SEPARATE_CONSENT
    else:
        basis = rng.choice([Basis.CONSENT, Basis.CONTRACT_NECESSITY, Basis.SEPARATE_CONSENT, Basis.NONE])
    purpose: dict[str, Any] = {
        "id": f"purpose-{index}",
        "label": {"zh": f"目的{index}", "en": f"Purpose {index}"},
        "kind": kind.value,
        "basis": basis.value,
        "data": rng.sample(data_ids, min(len(data_ids), rng.randint(1, 6))),
    }
    if kind is PurposeKind.ADD_ON:
        purpose["user_selected"] = maintained or rng.random() < 0.5
    if kind is PurposeKind.SHARING and recipient_ids:
        purpose["recipients"] = rng.sample(recipient_ids, min(len(recipient_ids), rng.randint(1, 3)))
    if kind is PurposeKind.PERSONALIZATION:
        purpose["automated_decision"] = True
        purpose["channel"] = Channel.PUSH.value
        purpose["personalization"] = {
            "non_personalized_option": maintained or rng.random() < 0.5,
            "opt_out": OptOut.ONE_TAP.value if maintained else rng.choice(list(OptOut)).value,
            "labelled": maintained or rng.random() < 0.5,
            "tag_controls": maintained or rng.random() < 0.5,
        }
    if kind is PurposeKind.MARKETING:
        purpose["channel"] = rng.choice(list(Channel)).value
        purpose["marketing"] = {
            "unsubscribe": maintained or rng.random() < 0.6,
            "audience": [
                AudienceSource.OWN_CONSENTING_USERS.value
                if maintained
                else rng.choice(list(AudienceSource)).value
            ],
        }
    return purpose


def _screen(
    rng: random.Random, index: int, data_ids: list[str], purpose_ids: list[str], maintained: bool
) -> dict[str, Any]:
    fields = [
        {
            "data": data_id,
            "required": not maintained and rng.random() < 0.4,
            "purposes": [rng.choice(purpose_ids)],
        }
        for data_id in rng.sample(data_ids, min(len(data_ids), rng.randint(1, 5)))
    ]
    if maintained:
        actions = [ScreenAction.SUBMIT.value, ScreenAction.SKIP.value, ScreenAction.REFUSE.value]
    else:
        others = [a.value for a in ScreenAction if a is not ScreenAction.SUBMIT]
        actions = [ScreenAction.SUBMIT.value, *rng.sample(others, rng.randint(0, 3))]
    return {
        "id": f"screen-{index}",
        "title": {"zh": f"界面{index}", "en": f"Screen {index}"},
        "blocks_home": rng.random() < 0.7,
        "notice": "privacy-policy",
        "fields": fields,
        "consent_boxes": [
            {"purposes": [rng.choice(purpose_ids)], "pre_ticked": not maintained and rng.random() < 0.2}
        ],
        "actions": actions,
    }


def generate(rng: random.Random, size: Size, number: int, slugs: list[str], categories: list[str]) -> str:
    """One varied, valid manifest. 70% are "maintained" (bases, notices and channels as the law expects,
    so findings come mostly from data categories); 30% are "as found" with random mistakes."""
    maintained = rng.random() < MAINTAINED_SHARE
    data_ids = [f"data-{i}" for i in range(_jitter(rng, size.data))]
    recipient_ids = [f"recipient-{i}" for i in range(_jitter(rng, size.recipients) if size.recipients else 0)]
    purposes = [
        _purpose(rng, i, data_ids, recipient_ids, maintained) for i in range(_jitter(rng, size.purposes))
    ]
    purpose_ids = [p["id"] for p in purposes]

    def coin(p: float) -> bool:
        return maintained or rng.random() < p

    manifest: dict[str, Any] = {
        "manifest_version": 1,
        "app": {
            "name": f"示例App {number}",
            "type": rng.choice(slugs),
            "operator": {"name": f"示例公司{number}", "contact": "privacy@example.com"},
            "platforms": ["app"],
        },
        "notices": [
            {
                "id": "privacy-policy",
                "version": "1.0",
                "shown": NoticeTiming.BEFORE_COLLECTION.value
                if maintained
                else rng.choice(list(NoticeTiming)).value,
                "lists_each_purpose": coin(0.7),
                "lists_each_data_item": coin(0.7),
                "lists_recipients": coin(0.7),
                "operator_contact": True,
                "retention": True,
                "rights_procedure": True,
            }
        ],
        "data": [
            {
                "id": data_id,
                "category": rng.choice(categories),
                "source": rng.choice(
                    [DataSource.USER, DataSource.USER, DataSource.DEVICE, DataSource.SYSTEM]
                ).value,
                "retention": "账号注销后删除",
            }
            for data_id in data_ids
        ],
        "purposes": purposes,
        "recipients": [
            {
                "id": r,
                "name": f"接收方{r}",
                "kind": rng.choice(list(RecipientKind)).value,
                "named_in_notice": True,
            }
            for r in recipient_ids
        ],
        "onboarding": [
            _screen(rng, i, data_ids, purpose_ids, maintained) for i in range(_jitter(rng, size.screens))
        ],
        "consent": {
            "pre_ticked": not coin(0.8),
            "granular": coin(0.8),
            "withdrawal": {
                "channel": WithdrawalChannel.IN_APP_SETTINGS.value
                if maintained
                else rng.choice(list(WithdrawalChannel)).value,
                "steps": 2 if maintained else rng.randint(1, 6),
                "consent_steps": 2,
            },
        },
        "rights": {
            name: {
                "available": coin(0.9),
                "channel": "in-app",
                "working_days": 15 if maintained else rng.choice([7, 15, 30]),
            }
            for name in ("copy", "correct", "delete", "cancel_account", "restrict")
        },
        "complaints": {"channel": "privacy@example.com", "published": True, "working_days": 15},
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(manifest, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)
    return text


def write_corpus(folder: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """(size name, path) for N generated manifests."""
    rng = random.Random(seed)
    catalog = load_catalog()
    slugs = sorted(catalog.app_types)
    categories = sorted(catalog.categories)
    corpus = []
    for number in range(n):
        size = rng.choices(SIZES, weights=[s.share for s in SIZES])[0]
        path = folder / f"{number:06d}-{size.name}.yaml"
        path.write_text(generate(rng, size, number, slugs, categories), "utf-8")
        corpus.append((size.name, str(path)))
    return corpus


# ---------------------------------------------------------------- measuring


def audit_one(path: str, serialize: Callable[[ManifestReport], str]) -> tuple[float, int, bool]:
    """(seconds, findings, loaded) for parse + validate + rules + JSON of one file."""
    start = time.perf_counter()
    report = audit_file(path)
    serialize(report)
    return time.perf_counter() - start, len(report.findings), not report.failed_to_load


def bare_one(path: str, load: Callable[[str], Any]) -> float:
    start = time.perf_counter()
    with Path(path).open(encoding="utf-8") as file:
        json.dumps(load(file.read()), ensure_ascii=False, default=str)
    return time.perf_counter() - start


def _c_safe_load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


_WORKER_SERIALIZE: Callable[[ManifestReport], str] | None = None


def _worker_init() -> None:
    global _WORKER_SERIALIZE  # one serializer per worker process, built once
    load_catalog()
    all_rules()
    _WORKER_SERIALIZE = _json_serializer()[0]


def _worker_chunk(paths: list[str]) -> list[float]:
    assert _WORKER_SERIALIZE is not None
    return [audit_one(path, _WORKER_SERIALIZE)[0] for path in paths]


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def on_all_cores(paths: list[str], workers: int) -> tuple[float, list[float]]:
    """Wall-clock seconds and latencies for auditing `paths` on a warm process pool."""
    chunk = max(1, min(256, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        list(pool.map(_worker_chunk, [[p] for p in paths[:workers]]))  # warm every worker
        start = time.perf_counter()
        latencies = [t for batch in pool.map(_worker_chunk, list(_chunks(paths, chunk))) for t in batch]
        return time.perf_counter() - start, latencies


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="manifests to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the pool run")
    parser.add_argument("--tracemalloc-sample", type=int, default=500, help="files for the traced run")
    args = parser.parse_args()
    console = Console(highlight=False, width=max(110, Console().width))

    t0 = time.perf_counter()
    load_catalog()
    rules = all_rules()
    warm_up = time.perf_counter() - t0
    serialize, serializer_name = _json_serializer()

    with tempfile.TemporaryDirectory(prefix="consentgate-bench-") as folder:
        corpus = write_corpus(Path(folder), args.n, args.seed)
        paths = [p for _, p in corpus]
        by_size = {s.name: [p for name, p in corpus if name == s.name] for s in SIZES}
        total_bytes = sum(Path(p).stat().st_size for p in paths)

        # one process: consentgate
        latencies: dict[str, list[float]] = {s.name: [] for s in SIZES}
        findings = loaded = 0
        start = time.perf_counter()
        for size_name, path in corpus:
            seconds, count, ok = audit_one(path, serialize)
            latencies[size_name].append(seconds)
            findings += count
            loaded += ok
        one_process = time.perf_counter() - start
        rss_self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # one process: the peers, same files, same process
        start = time.perf_counter()
        bare_py = [bare_one(p, yaml.safe_load) for p in paths]
        bare_py_total = time.perf_counter() - start
        start = time.perf_counter()
        bare_c = [bare_one(p, _c_safe_load) for p in paths]
        bare_c_total = time.perf_counter() - start

        # traced memory of one process over a sample
        sample = paths[: args.tracemalloc_sample]
        tracemalloc.start()
        for path in sample:
            audit_one(path, serialize)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        # all cores: the mixed corpus, then typical manifests only (the target)
        pool_wall, pool_latencies = on_all_cores(paths, args.workers)
        typical_wall, typical_latencies = on_all_cores(by_size["typical"], args.workers)
        rss_children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    everything = [t for values in latencies.values() for t in values]
    n = len(paths)
    console.print(
        f"[bold]consentgate audit throughput[/]  n={n} (seed {args.seed}), {len(rules)} rules, "
        f"{total_bytes / n / 1024:.1f} KiB/manifest on average, python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, pool of {args.workers}"
    )
    console.print(
        f"JSON: {serializer_name}; catalog + rules warm-up {warm_up * 1000:.0f} ms (once per process)"
    )
    console.print(f"loaded {loaded}/{n} manifests, {findings} findings ({findings / n:.1f} per manifest)\n")

    table = Table(
        title="One process, per manifest: parse + validate + all rules + JSON (size: ~data/purposes/screens)"
    )
    for column in ("set", "manifests", "manifests/s (1 process)", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    for size in SIZES:
        values = latencies[size.name]
        if values:
            table.add_row(
                f"{size.name} ~{size.data}/{size.purposes}/{size.screens}",
                str(len(values)),
                f"{len(values) / sum(values):,.0f}",
                _ms(percentile(values, 50)),
                _ms(percentile(values, 99)),
                _ms(max(values)),
            )
    table.add_row(
        "all (mixed)",
        str(n),
        f"{n / one_process:,.0f}",
        _ms(percentile(everything, 50)),
        _ms(percentile(everything, 99)),
        _ms(max(everything)),
    )
    console.print(table)

    cores = Table(title=f"All cores (ProcessPoolExecutor, {args.workers} workers, chunked, warm pool)")
    for column in ("set", "manifests/s", "speed-up vs 1 process", "p50 ms", "p99 ms"):
        cores.add_column(column, justify="right")
    typical_one = len(latencies["typical"]) / sum(latencies["typical"]) if latencies["typical"] else 0.0
    cores.add_row(
        "all (mixed)",
        f"{n / pool_wall:,.0f}",
        f"{one_process / pool_wall:.2f}x",
        _ms(percentile(pool_latencies, 50)),
        _ms(percentile(pool_latencies, 99)),
    )
    if typical_latencies:
        typical_rate = len(typical_latencies) / typical_wall
        cores.add_row(
            "typical only",
            f"{typical_rate:,.0f}",
            f"{typical_rate / typical_one:.2f}x",
            _ms(percentile(typical_latencies, 50)),
            _ms(percentile(typical_latencies, 99)),
        )
    console.print(cores)

    peers = Table(
        title="Peer in the same process: read + YAML parse + json.dumps of the same files "
        "(ratio = consentgate time / peer time)"
    )
    for column in ("peer", "manifests/s", "p50 ms", "consentgate / bare-parse ratio"):
        peers.add_column(column, justify="right")
    peers.add_row(
        "yaml.safe_load (pure Python)",
        f"{n / bare_py_total:,.0f}",
        _ms(percentile(bare_py, 50)),
        f"{one_process / bare_py_total:.2f}",
    )
    peers.add_row(
        "yaml.load(CSafeLoader) (libyaml)",
        f"{n / bare_c_total:,.0f}",
        _ms(percentile(bare_c, 50)),
        f"{one_process / bare_c_total:.2f}",
    )
    console.print(peers)

    memory = Table(title="Memory")
    memory.add_column("measure")
    memory.add_column("value", justify="right")
    memory.add_row("peak RSS, main process (getrusage)", f"{rss_self_kb / 1024:.0f} MiB")
    memory.add_row("peak RSS, largest pool worker (getrusage children)", f"{rss_children_kb / 1024:.0f} MiB")
    memory.add_row(
        f"tracemalloc peak, one process over {len(sample)} files", f"{traced_peak / 1024 / 1024:.1f} MiB"
    )
    console.print(memory)

    if typical_latencies:
        measured = len(typical_latencies) / typical_wall
        verdict = "meets" if measured >= TARGET_TYPICAL_PER_S_ON_2_CORES else "is below"
        console.print(
            f"\nTarget: >= {TARGET_TYPICAL_PER_S_ON_2_CORES:,} typical manifests/s on 2 cores. "
            f"Measured {measured:,.0f}/s on {args.workers} worker(s): {verdict} the target."
        )


if __name__ == "__main__":
    main()
