"""`consentgate audit` end to end: formats, exit codes, baseline, config, folders and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.i18n import message
from consentgate.rules.base import Severity
from tests.audit.conftest import FORCED, FORCED_RULE, RULE_FIXTURES, SEED

register_all()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty folder so that the repository's own [tool.consentgate] does not apply."""
    monkeypatch.chdir(tmp_path)


def _audit(*args: str) -> Result:
    result = CliRunner().invoke(app, ["audit", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _json(*args: str) -> tuple[int, dict[str, Any]]:
    result = _audit(*args, "--json", "-")
    return result.exit_code, json.loads(result.stdout)


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def test_seed_case_fails_and_prints_grouped_text() -> None:
    result = _audit(str(SEED), "--lang", "en")
    assert result.exit_code == 1
    assert str(SEED) in result.stdout
    assert "CG-PIPL-016-FORCED-COLLECTION" in result.stdout
    assert message("report.citations").en in result.stdout


@pytest.mark.parametrize("fail_on", ["high", "medium", "low", "none"])
def test_fail_on_sets_the_threshold(fail_on: str) -> None:
    code, data = _json(str(SEED), "--fail-on", fail_on)
    open_ranks = [
        Severity(f["severity"]).rank for m in data["manifests"] for f in m["findings"] if not f["suppressed"]
    ]
    fails = fail_on != "none" and any(rank >= Severity(fail_on).rank for rank in open_ranks)
    assert code == (1 if fails else 0)
    assert data["summary"]["fail_on"] == fail_on


def test_only_one_report_may_use_stdout() -> None:
    result = _audit(str(SEED), "--json", "-", "--sarif", "-")
    assert result.exit_code == 2
    assert "--json" in result.stderr and "--sarif" in result.stderr
    assert "标准输出" in result.stderr and "standard output" in result.stderr


def test_every_format_can_be_written_to_files(tmp_path: Path) -> None:
    result = _audit(
        str(SEED),
        "--text",
        "out/report.txt",
        "--json",
        "out/report.json",
        "--sarif",
        "out/report.sarif",
        "--html",
        "out/report.html",
    )
    assert result.exit_code == 1
    assert result.stdout == ""  # the text report went to its file; the summary goes to stderr
    assert message("report.summary").zh in result.stderr
    out = tmp_path / "out"
    assert "CG-PIPL-016-FORCED-COLLECTION" in (out / "report.txt").read_text("utf-8")
    assert json.loads((out / "report.json").read_text("utf-8"))["manifests"][0]["path"] == str(SEED)
    assert json.loads((out / "report.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert (out / "report.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_suppressed_finding_is_shown_as_suppressed(tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(
        FORCED.read_text("utf-8")
        + f"suppressions:\n  - {{rule: {FORCED_RULE}, path: onboarding, reason: 旧版界面}}\n",
        "utf-8",
    )
    result = _audit(str(manifest), "--lang", "zh")
    assert f"[{message('report.suppressed').zh}] {FORCED_RULE}" in result.stdout
    assert "旧版界面" in result.stdout
    code, data = _json(str(manifest))
    forced = [f for f in data["manifests"][0]["findings"] if f["rule_id"] == FORCED_RULE]
    assert forced and all(f["suppressed"] for f in forced)
    others_fail = any(
        not f["suppressed"] and Severity(f["severity"]).rank >= Severity.MEDIUM.rank
        for f in data["manifests"][0]["findings"]
    )
    assert code == (1 if others_fail else 0)


def test_baseline_round_trip(tmp_path: Path) -> None:
    manifest = _copy(FORCED, tmp_path / "apps" / "app.yaml")
    baseline = tmp_path / "baseline.json"

    written = _audit(str(manifest), "--write-baseline", str(baseline))
    assert written.exit_code == 0, written.output
    assert json.loads(baseline.read_text("utf-8"))["findings"]

    code, data = _json(str(manifest), "--baseline", str(baseline), "--fail-on", "low")
    assert code == 0
    findings = data["manifests"][0]["findings"]
    unconfirmed = data["manifests"][0]["unconfirmed"]
    assert findings and all(f["baselined"] for f in findings + unconfirmed)
    # Checks left open are accepted too: they would fail this `--fail-on low` run otherwise.
    assert data["summary"]["baselined"] == len(findings) + len(unconfirmed)

    manifest.write_text(
        "# edited\n"
        + FORCED.read_text("utf-8").replace(
            "fields: [{data: occupation, required: false}]",
            "fields: [{data: occupation, required: false}, {data: occupation, required: true}]",
        ),
        "utf-8",
    )
    code, data = _json(str(manifest), "--baseline", str(baseline))
    assert code == 1
    new = [f for f in data["manifests"][0]["findings"] if not f["baselined"]]
    assert [(f["rule_id"], f["location"]["pointer"]) for f in new] == [
        (FORCED_RULE, "/onboarding/questionnaire/fields/1")
    ]


def test_malformed_baseline_is_exit_2_in_both_languages(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"findings": "all of them"}', "utf-8")
    result = _audit(str(SEED), "--baseline", str(baseline))
    assert result.exit_code == 2
    assert message("error.bad_baseline", path=str(baseline), problem="").zh.rstrip() in result.stderr
    assert message("error.bad_baseline", path=str(baseline), problem="").en.rstrip() in result.stderr


def test_folder_with_several_manifests_in_two_processes(tmp_path: Path) -> None:
    root = tmp_path / "manifests"
    passing = sorted(RULE_FIXTURES.glob("*/pass/*.yaml"))[:3]
    for index, source in enumerate(passing):
        _copy(source, root / f"team-{index}" / "app.yaml")
    _copy(SEED, root / "seed.yml")

    result = _audit(str(root), "--jobs", "2", "--json", "report.json", "--fail-on", "none")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    paths = [m["path"] for m in data["manifests"]]
    assert paths == sorted(paths) and len(paths) == 4
    assert data["summary"]["files"] == 4
    assert message("report.progress").zh in result.stderr  # the progress bar shows for several files

    serial = _audit(str(root), "--jobs", "1", "--json", "serial.json", "--fail-on", "none")
    assert serial.exit_code == 0
    again = json.loads((tmp_path / "serial.json").read_text("utf-8"))
    assert again["manifests"] == data["manifests"]


def test_config_from_pyproject_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.consentgate]\nfail-on = "none"\nlang = "en"\n[tool.consentgate.outputs]\njson = "out/audit.json"\n',
        "utf-8",
    )
    result = _audit(str(SEED))
    assert result.exit_code == 0, result.output
    assert message("report.verdict.never").en in result.stdout  # lang = "en" from the file
    data = json.loads((tmp_path / "out" / "audit.json").read_text("utf-8"))
    assert any(f["severity"] == "high" for f in data["manifests"][0]["findings"])

    # Flags win over the file.
    assert _audit(str(SEED), "--fail-on", "high").exit_code == 1
    assert message("report.summary").zh in _audit(str(SEED), "--lang", "zh").stdout


@pytest.mark.parametrize("table", ['fail-on = "sometimes"', "surprise = true"])
def test_bad_config_is_exit_2_in_both_languages(tmp_path: Path, table: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.consentgate]\n{table}\n", "utf-8")
    result = _audit(str(SEED))
    assert result.exit_code == 2
    assert "[tool.consentgate] 配置无效" in result.stderr
    assert "invalid [tool.consentgate] configuration" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_rule_in_a_suppression_is_exit_2(tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    source = FORCED.read_text("utf-8")
    manifest.write_text(
        source + "suppressions:\n  - {rule: CG-NO-SUCH-RULE, path: onboarding, reason: r}\n", "utf-8"
    )
    result = _audit(str(manifest))
    assert result.exit_code == 2
    line = source.count("\n") + 2
    assert f"{manifest}:{line}:" in result.stderr
    assert "未知规则 id“CG-NO-SUCH-RULE”" in result.stderr
    assert "unknown rule id 'CG-NO-SUCH-RULE'" in result.stderr


def test_bad_yaml_is_exit_2_with_place_in_both_languages_and_no_traceback(tmp_path: Path) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text("app:\n  name: demo\n  type: [learning-education\n", "utf-8")
    other = _copy(SEED, tmp_path / "seed.yaml")
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from consentgate.cli import main; main()",
            "audit",
            str(manifest),
            str(other),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        check=False,
    )
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    zh = [line for line in process.stderr.splitlines() if "YAML 语法错误" in line]
    en = [line for line in process.stderr.splitlines() if "invalid YAML" in line]
    assert zh and en
    place = f"{manifest}:4:1"
    assert place in zh[0] and place in en[0]
    # The other manifest was still audited and reported.
    assert str(other) in process.stdout


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    result = _audit(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "文件或目录不存在" in result.stderr and "no such file or directory" in result.stderr


def test_help_documents_formats_and_exit_codes() -> None:
    result = CliRunner().invoke(app, ["audit", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in (
        "--json",
        "--sarif",
        "--html",
        "--text",
        "--fail-on",
        "--baseline",
        "--write-baseline",
        "--jobs",
    ):
        assert option in result.stdout
    assert "Exit codes" in result.stdout
