"""Hostile manifests are refused before they cost anything: exit 2, the file, the limit, the place.

Each limit is met at the smallest size that breaks it, through the real command line; the bombs of
the outside probe (50,000 `[`, a 551-byte alias bomb) run in a subprocess, whose peak memory
(VmHWM) and CPU time are read from the kernel, not from a wall clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.errors import ManifestErrors, UsageError
from consentgate.i18n import message
from consentgate.manifest.limits import ManifestLimits
from consentgate.manifest.loader import load_manifest, parse_manifest
from consentgate.manifest.yaml_compose import compose

ROOT = Path(__file__).resolve().parents[2]
HEAD = "manifest_version: 1\napp:\n  name: demo\n  type: learning-education\n"
register_all()
FIXED = (ROOT / "examples" / "seed-case" / "fixed.yaml").read_text("utf-8")


def _bomb(levels: int = 9, fan: int = 9) -> str:
    lines = [HEAD.rstrip("\n"), "x0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for level in range(1, levels):
        lines.append(f"x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def _refusal(field: str, path: str, line: int, column: int, limit: int) -> tuple[str, str]:
    key = f"error.limit_{field.removeprefix('max_')}"
    setting = f"CONSENTGATE_MANIFEST_{field.upper()}"
    text = message(key, path=path, line=line, column=column, limit=limit, setting=setting)
    return text.zh, text.en


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def _cli(tmp_path: Path, content: str | bytes, *, own_process: bool = False, **env: str) -> Run:
    """`consentgate audit` on the content; in its own process where the old failure was a crash."""
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    if own_process:
        done = subprocess.run(
            [sys.executable, "-m", "consentgate", "audit", path.name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner(env=env).invoke(app, ["audit", path.name])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return Run(result.exit_code, result.stdout, result.stderr)


def _refused_by_cli(result: Run, expected: tuple[str, str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stdout + result.stderr
    zh, en = expected
    assert zh in result.stderr, result.stderr
    assert en in result.stderr, result.stderr


def test_deep_flow_nesting_of_the_probe_is_exit_2_not_a_segfault(tmp_path: Path) -> None:
    result = _cli(tmp_path, "[" * 50_000 + "\n", own_process=True)
    _refused_by_cli(result, _refusal("max_depth", "hostile.yaml", 1, 65, 64))


def test_deep_block_nesting_is_refused_at_the_first_level_too_deep(tmp_path: Path) -> None:
    # No bracket at all, so only the composer's exact depth count can see it.
    text = HEAD + "".join(f"{' ' * level}k{level}:\n" for level in range(200))
    result = _cli(tmp_path, text)
    # The root mapping is level 1 and `k0`'s value level 2 (line 6, column 2): level 65 is line 69.
    _refused_by_cli(result, _refusal("max_depth", "hostile.yaml", 69, 65, 64))


def test_alias_bomb_is_refused_at_the_alias_that_passes_the_node_limit(tmp_path: Path) -> None:
    result = _cli(tmp_path, _bomb())
    # x0..x4 (lines 5-9) hold 66,429 values; x5's second `*a4` (line 10, column 15) passes 200,000.
    _refused_by_cli(result, _refusal("max_nodes", "hostile.yaml", 10, 15, 200_000))


def test_too_many_aliases_are_refused_before_parsing(tmp_path: Path) -> None:
    text = HEAD + "x: &a lol\ny: [" + ", ".join(["*a"] * 101) + "]\n"
    # The pre-scan stops at the 101st `*a`: line 6, after "y: [" and 100 "*a, ".
    _refused_by_cli(_cli(tmp_path, text), _refusal("max_aliases", "hostile.yaml", 6, 5 + 4 * 100, 100))


def test_file_over_the_size_limit_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    text = HEAD + "# " + "x" * (2 * 1024 * 1024) + "\n"
    limit = 2 * 1024 * 1024
    # The first byte past the limit is on line 5 (the comment), `limit - len(HEAD)` bytes into it.
    _refused_by_cli(
        _cli(tmp_path, text), _refusal("max_bytes", "hostile.yaml", 5, limit - len(HEAD) + 1, limit)
    )


def test_a_limit_can_be_raised_or_lowered_with_its_environment_variable(tmp_path: Path) -> None:
    lowered = _cli(tmp_path, FIXED, CONSENTGATE_MANIFEST_MAX_DEPTH="2")
    assert lowered.returncode == 2
    assert "CONSENTGATE_MANIFEST_MAX_DEPTH" in lowered.stderr
    bomb = _bomb(levels=6)
    assert "CONSENTGATE_MANIFEST_MAX_NODES" in _cli(tmp_path, bomb).stderr
    raised = _cli(tmp_path, bomb, CONSENTGATE_MANIFEST_MAX_NODES="1000000")
    assert "CONSENTGATE_MANIFEST_MAX_NODES" not in raised.stderr, raised.stderr
    assert "x0" in raised.stderr  # now it is composed, and its unknown fields are what is wrong


@pytest.mark.parametrize("value", ["0", "-3", "lots"])
def test_a_bad_limit_setting_is_a_usage_error_in_both_languages(value: str) -> None:
    with pytest.raises(UsageError) as raised:
        ManifestLimits.from_env({"CONSENTGATE_MANIFEST_MAX_NODES": value})
    assert "CONSENTGATE_MANIFEST_MAX_NODES" in raised.value.text.zh
    assert "CONSENTGATE_MANIFEST_MAX_NODES" in raised.value.text.en


def test_a_bad_limit_setting_is_exit_2_on_the_command_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, FIXED, CONSENTGATE_MANIFEST_MAX_BYTES="many")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message("error.limit_setting", setting="CONSENTGATE_MANIFEST_MAX_BYTES", value="many").en in (
        result.stderr
    )


def test_stars_and_brackets_inside_quotes_and_comments_do_not_count() -> None:
    quoted = "".join(f"  - purpose: '*{i} [[[[ {{{{'  # *c{i} [[[[\n" for i in range(150))
    text = HEAD + "notes:\n" + quoted
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(text, "quoted.yaml")
    assert "CONSENTGATE_MANIFEST" not in raised.value.text.en  # an unknown field, not a limit


def test_aliases_within_the_limits_load_like_their_expansion() -> None:
    expanded = parse_manifest(HEAD + "  operator:\n    name: demo\n", "a.yaml").manifest
    aliased = HEAD.replace("name: demo", "name: &n demo") + "  operator:\n    name: *n\n"
    assert parse_manifest(aliased, "a.yaml").manifest == expanded
    assert expanded.app.operator is not None and expanded.app.operator.name == "demo"


def test_self_containing_alias_is_still_a_located_alias_loop() -> None:
    with pytest.raises(ManifestErrors) as raised:
        parse_manifest(HEAD + "  platforms: &p [app, *p]\n", "loop.yaml")
    assert raised.value.errors[0].location is not None
    assert (raised.value.errors[0].location.line, raised.value.errors[0].location.column) == (5, 14)


_MEASURE = """
import json, sys, time
from consentgate.errors import ManifestErrors
from consentgate.manifest.loader import load_manifest
from consentgate.i18n import message
load_manifest(sys.argv[2])  # warm: imports and the message catalog are not the bomb's cost
message("error.alias_loop", path="", line=1, column=1)
start = time.process_time()
try:
    load_manifest(sys.argv[1])
    outcome = "loaded"
except ManifestErrors as errors:
    outcome = errors.text.en
cpu = time.process_time() - start
status = open("/proc/self/status").read()
hwm_kb = int(status.split("VmHWM:")[1].split()[0])
print(json.dumps({"cpu": cpu, "hwm_mb": hwm_kb / 1024, "outcome": outcome}))
"""


def _measure(path: Path) -> dict[str, float | str]:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(ROOT / "examples" / "seed-case" / "fixed.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, float | str] = json.loads(result.stdout)
    return measured


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("name", ["alias-bomb", "deep-brackets"])
def test_probe_bombs_are_refused_in_under_half_a_cpu_second_and_100_mb(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(_bomb() if name == "alias-bomb" else "[" * 50_000 + "\n", "utf-8")
    measured = _measure(path)
    assert "CONSENTGATE_MANIFEST_MAX_" in str(measured["outcome"]), measured
    assert float(measured["hwm_mb"]) < 100, measured
    # CPU time, not wall time: a busy machine makes the refusal wait, not work more.
    assert float(measured["cpu"]) < 0.5, measured


def test_limits_apply_to_loading_from_a_file_and_from_text_alike(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 100, "utf-8")
    with pytest.raises(ManifestErrors) as from_file:
        load_manifest(path)
    with pytest.raises(ManifestErrors) as from_text:
        parse_manifest("[" * 100, str(path))
    assert from_file.value.text == from_text.value.text


def test_the_composer_counts_aliases_itself_whatever_the_pre_scan_saw() -> None:
    # Straight to the composer: the pre-scan is a first line, not the only one.
    text = "a: &a x\nb: [*a, *a, *a]\n"
    with pytest.raises(ManifestErrors) as raised:
        compose(text, "direct.yaml", ManifestLimits(max_aliases=2))
    location = raised.value.errors[0].location
    assert location is not None and (location.line, location.column) == (2, 13)
    assert "CONSENTGATE_MANIFEST_MAX_ALIASES" in raised.value.text.en
    assert compose(text, "direct.yaml", ManifestLimits(max_aliases=3)) is not None
