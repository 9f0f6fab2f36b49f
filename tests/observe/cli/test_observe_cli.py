"""`consentgate observe`: option handling and the errors that stop a run before any browser starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.errors import UsageError
from consentgate.observe.run import (
    OBSERVATION_FILE,
    ObserveOptions,
    check_device,
    folder_name,
    judge,
    read_targets,
)
from tests.observe.cli.builders import unreachable_observation

register_all()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _observe(*args: str) -> Result:
    result = CliRunner().invoke(app, ["observe", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.mark.parametrize("target", ["ftp://example.com/", "example.com/signup", "http://", "app.yaml"])
def test_a_target_that_is_not_an_http_url_is_a_bilingual_usage_error(target: str) -> None:
    result = _observe(target)
    assert result.exit_code == 2
    assert "不是带主机名的 http(s) 网址" in result.stderr and "not an http(s) URL" in result.stderr


def test_a_missing_urls_file_is_a_bilingual_usage_error() -> None:
    result = _observe("--urls", "nowhere.txt")
    assert result.exit_code == 2
    assert "无法读取网址列表" in result.stderr and "cannot be read" in result.stderr


def test_no_target_at_all_is_a_usage_error() -> None:
    result = _observe()
    assert result.exit_code == 2 and "nothing to observe" in result.stderr


def test_two_reports_on_standard_output_are_refused_as_in_audit() -> None:
    result = _observe("http://127.0.0.1/signup", "--json", "-", "--sarif", "-")
    assert result.exit_code == 2 and "--json" in result.stderr and "--sarif" in result.stderr


def test_urls_file_lines_comments_and_duplicates(tmp_path: Path) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "# our flows\nhttps://a.example/signup\n\n  https://b.example/h5  # the H5 one\nhttps://a.example/signup\n",
        "utf-8",
    )
    assert read_targets(["http://c.example/"], listed) == [
        "http://c.example/",
        "https://a.example/signup",
        "https://b.example/h5",
    ]


def test_urls_file_with_a_bad_line_names_it(tmp_path: Path) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_text("https://ok.example/\nnot a url\n", "utf-8")
    with pytest.raises(UsageError) as raised:
        read_targets([], listed)
    assert "not a url" in raised.value.text.en


def test_an_unknown_device_suggests_the_nearest_name() -> None:
    with pytest.raises(UsageError) as raised:
        check_device("iPhone 31", ["iPhone 13", "Pixel 7"])
    assert "iPhone 13" in raised.value.text.en and "未知设备" in raised.value.text.zh
    check_device(None, [])
    check_device("Pixel 7", ["iPhone 13", "Pixel 7"])


def test_each_target_gets_its_own_readable_folder() -> None:
    a, b = folder_name("http://127.0.0.1:8000/signup"), folder_name("http://127.0.0.1:8001/signup")
    assert a.startswith("127.0.0.1_signup-") and a != b
    assert "/" not in folder_name("https://例子.cn/注册?x=1")


def test_an_unreachable_target_is_written_to_disk_and_reported_without_inference(tmp_path: Path) -> None:
    observation = unreachable_observation()
    result = judge(observation.target, observation, tmp_path / "t", ObserveOptions(), many=False)
    assert (tmp_path / "t" / OBSERVATION_FILE).is_file()
    assert result.report.failed_to_load and "connection refused" in result.report.errors[0].en


def test_help_lists_the_options_of_the_issue() -> None:
    result = CliRunner().invoke(app, ["observe", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in (
        "--urls",
        "--device",
        "--flow",
        "--against",
        "--manifest-out",
        "--evidence",
        "--text",
        "--json",
        "--sarif",
        "--html",
        "--fail-on",
        "--lang",
        "--jobs",
    ):
        assert option in result.stdout


def test_loading_the_cli_does_not_import_playwright() -> None:
    code = (
        "import sys; from consentgate.cli.commands import register_all; register_all(); "
        "print('playwright' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
