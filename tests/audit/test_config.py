"""Settings come from the nearest [tool.consentgate] or consentgate.toml; bad settings are usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.audit.config import load_config
from consentgate.audit.summary import FailOn
from consentgate.errors import UsageError


def test_nearest_pyproject_with_a_consentgate_table_is_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.consentgate]\nfail-on = "high"\nlang = "en"\njobs = 3\nbaseline = "ci/baseline.json"\n'
        '[tool.consentgate.outputs]\nsarif = "reports/audit.sarif"\n',
        "utf-8",
    )
    nested = tmp_path / "apps" / "mobile"
    nested.mkdir(parents=True)
    # A pyproject.toml without the table (a sub-package) is passed over on the way up.
    (nested / "pyproject.toml").write_text('[project]\nname = "mobile"\n', "utf-8")
    config = load_config(start=nested)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.settings.fail_on is FailOn.HIGH
    assert config.settings.lang == "en"
    assert config.settings.jobs == 3
    # Paths in the file are relative to the file, not to where the command runs.
    assert config.path(config.settings.baseline) == tmp_path / "ci" / "baseline.json"
    assert config.path(config.settings.outputs.sarif) == tmp_path / "reports" / "audit.sarif"


def test_consentgate_toml_wins_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.consentgate]\nfail-on = "high"\n', "utf-8")
    (tmp_path / "consentgate.toml").write_text('fail-on = "low"\n', "utf-8")
    config = load_config(start=tmp_path)
    assert config.source == tmp_path / "consentgate.toml"
    assert config.settings.fail_on is FailOn.LOW


def test_no_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(start=tmp_path)
    if config.source is None:
        assert config.settings.fail_on is None
    else:  # a config file above the temp dir (unusual) must at least not be inside it
        assert tmp_path not in config.source.parents


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('fail-on = "urgent"', "fail-on"),
        ("colour = 1", "colour"),
        ("jobs = 0", "jobs"),
        ('lang = "fr"', "lang"),
        ("[tool.consentgate.outputs]\npdf = 'a.pdf'", "pdf"),
        ("fail-on = ", "Invalid"),
    ],
)
def test_bad_config_is_a_bilingual_usage_error(tmp_path: Path, table: str, problem: str) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text(f"[tool.consentgate]\n{table}\n", "utf-8")
    with pytest.raises(UsageError) as caught:
        load_config(start=tmp_path)
    text = caught.value.text
    assert str(file) in text.zh and "配置无效" in text.zh and problem in text.zh
    assert str(file) in text.en and "invalid [tool.consentgate]" in text.en and problem in text.en
