"""A bad manifest is a user's everyday mistake: it must be reported, never crash.

Every case goes through the command line (`validate` and `audit`) and must exit 2, name the exact
file:line:column where a place exists, say it in Chinese and English, and show no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all

register_all()

HEAD = "manifest_version: 1\napp:\n  name: demo\n  type: learning-education\n"
PHONE = "data:\n  - id: phone\n    category: contact.phone\n"
COMMANDS = ("validate", "audit")


@dataclass(frozen=True)
class Case:
    """A broken manifest and what the user must be told about it."""

    content: bytes
    place: tuple[int, int] | None  # expected (line, column); None where the file has no place to point at
    zh: str
    en: str


def _text(source: str) -> bytes:
    return source.encode("utf-8")


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / "app.yaml"
    path.write_bytes(case.content)
    return path


def _run(command: str, path: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, [command, str(path)])
    return result.exit_code, result.output, result.exception


def _check(command: str, path: Path, case: Case) -> str:
    code, output, exception = _run(command, path)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert "Traceback" not in output
    assert code == 2, output
    if case.place is not None:
        line, column = case.place
        assert f"{path}:{line}:{column}" in output, output
    assert case.zh in output, output
    assert case.en in output, output
    return output


@pytest.mark.parametrize("command", COMMANDS)
def test_invalid_yaml(tmp_path: Path, command: str) -> None:
    # The second ':' on line 4 ("  type: learning-education: x") is where the parser stops.
    case = Case(
        _text(HEAD.replace("learning-education", "learning-education: x")),
        (4, 27),
        "YAML 语法错误",
        "invalid YAML",
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_top_level_not_a_mapping(tmp_path: Path, command: str) -> None:
    case = Case(_text("- app\n- data\n"), None, "清单顶层必须是 YAML 映射", "must be a YAML mapping")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_file(tmp_path: Path, command: str) -> None:
    case = Case(b"# nothing yet\n", None, "清单顶层必须是 YAML 映射", "must be a YAML mapping")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_field(tmp_path: Path, command: str) -> None:
    case = Case(_text(HEAD + "  colour: blue\n"), (5, 3), "未知字段“colour”", "unknown field 'colour'")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_misspelled_field_suggests_the_right_one(tmp_path: Path, command: str) -> None:
    case = Case(
        _text(HEAD + "purpose:\n  - id: courses\n"),
        (5, 1),
        "您是否想写“purposes”",
        "did you mean 'purposes'",
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_app_type(tmp_path: Path, command: str) -> None:
    case = Case(
        _text(HEAD.replace("learning-education", "learning-educaton")),
        (4, 3),
        "未知的 App 类型“learning-educaton”——您是否想写“learning-education”",
        "unknown app type 'learning-educaton' — did you mean 'learning-education'",
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_data_category(tmp_path: Path, command: str) -> None:
    case = Case(
        _text(HEAD + PHONE.replace("contact.phone", "contact.phon")),
        (7, 5),
        "未知的数据类别“contact.phon”",
        "did you mean 'contact.phone'",
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_reference_to_undefined_data(tmp_path: Path, command: str) -> None:
    source = (
        HEAD
        + PHONE
        + (
            "purposes:\n  - id: courses\n    kind: basic-function\n    basis: contract-necessity\n"
            "    data: [phone, phnoe]\n"
        )
    )
    # line 12 is "    data: [phone, phnoe]"; 'phnoe' starts at column 19
    case = Case(_text(source), (12, 19), "“phnoe”不是已定义的数据项", "'phnoe' is not a defined data item")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_reference_to_undefined_purpose(tmp_path: Path, command: str) -> None:
    source = HEAD + (
        "notices:\n  - id: policy\n    version: '1'\n    shown: before-collection\n"
        "    purposes:\n      - courses\n"
    )
    case = Case(_text(source), (10, 9), "“courses”不是已定义的处理目的", "'courses' is not a defined purpose")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_reference_to_undefined_recipient(tmp_path: Path, command: str) -> None:
    source = (
        HEAD
        + PHONE
        + (
            "recipients:\n  - {id: partner-a, name: A, kind: third-party}\n"
            "purposes:\n  - id: share\n    kind: sharing\n    basis: separate-consent\n    data: [phone]\n"
            "    recipients: [partner-a, partner-b]\n"
        )
    )
    case = Case(
        _text(source),
        (15, 29),
        "“partner-b”不是已定义的接收方——您是否想写“partner-a”",
        "'partner-b' is not a defined recipient — did you mean 'partner-a'",
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_reference_to_undefined_notice(tmp_path: Path, command: str) -> None:
    source = HEAD + "onboarding:\n  - id: login\n    notice: privacy\n"
    case = Case(_text(source), (7, 5), "“privacy”不是已定义的告知文本", "'privacy' is not a defined notice")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_duplicate_ids(tmp_path: Path, command: str) -> None:
    source = HEAD + PHONE + "  - id: phone\n    category: contact.email\n"
    case = Case(_text(source), (8, 5), "“data”中的 id“phone”重复", "id 'phone' is used twice in 'data'")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_duplicate_keys(tmp_path: Path, command: str) -> None:
    source = HEAD + "  name: other\n"
    case = Case(_text(source), (5, 3), "键“name”出现了两次", "key 'name' appears twice")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_wrong_enum_value(tmp_path: Path, command: str) -> None:
    source = HEAD + "purposes:\n  - id: courses\n    kind: basic-functon\n    basis: contract-necessity\n"
    case = Case(
        _text(source),
        (7, 5),
        "不允许取值“basic-functon”",
        "did you mean 'basic-function'",
    )
    output = _check(command, _write(tmp_path, case), case)
    assert "/purposes/courses/kind" in output


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_required_field(tmp_path: Path, command: str) -> None:
    source = HEAD + "purposes:\n  - id: courses\n    basis: consent\n"
    # Nothing to point at for an absent key: the place is the purpose that lacks it. (An unstated
    # basis is a fact left unknown; what a purpose is, its kind, cannot be.)
    case = Case(_text(source), (6, 5), "缺少必填字段“kind”", "required field 'kind' is missing")
    output = _check(command, _write(tmp_path, case), case)
    assert "/purposes/courses" in output


@pytest.mark.parametrize("command", COMMANDS)
def test_wrong_type(tmp_path: Path, command: str) -> None:
    source = HEAD + "consent:\n  pre_ticked: sometimes\n"
    case = Case(
        _text(source), (6, 3), "应为true 或 false，实际为字符串", "expected true or false, found a string"
    )
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_file_that_does_not_exist(tmp_path: Path, command: str) -> None:
    path = tmp_path / "missing.yaml"
    code, output, exception = _run(command, path)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert code == 2
    assert str(path) in output
    assert "不存在" in output
    assert "no such file" in output


@pytest.mark.parametrize("command", COMMANDS)
def test_non_utf8_file(tmp_path: Path, command: str) -> None:
    # GBK bytes for 张三 on line 3, after "  name: " (8 characters): the first bad byte is column 9.
    content = (
        b"manifest_version: 1\napp:\n  name: " + "张三".encode("gbk") + b"\n  type: learning-education\n"
    )
    case = Case(content, (3, 9), "不是 UTF-8 文本", "not UTF-8 text")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_alias_that_contains_itself(tmp_path: Path, command: str) -> None:
    case = Case(_text(HEAD + "  platforms: &p [app, *p]\n"), (5, 14), "YAML 别名", "YAML alias")
    _check(command, _write(tmp_path, case), case)


@pytest.mark.parametrize("command", COMMANDS)
def test_control_character(tmp_path: Path, command: str) -> None:
    case = Case(_text(HEAD.replace("demo", '"de\x07mo"')), (3, 12), "YAML 语法错误", "invalid YAML")
    _check(command, _write(tmp_path, case), case)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    source = HEAD + "  colour: blue\n" + PHONE + "  - id: phone\n    category: contact.email\n"
    path = tmp_path / "app.yaml"
    path.write_text(source, "utf-8")
    code, output, _ = _run("validate", path)
    assert code == 2
    assert f"{path}:5:3" in output  # unknown field
    assert f"{path}:9:5" in output  # duplicate id


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    """The real console script, not the test runner: what a user in a terminal sees."""
    broken = {
        "syntax.yaml": _text(HEAD + "  type: [\n"),
        "list.yaml": _text("- a\n"),
        "dup.yaml": _text(HEAD + HEAD),
        "latin1.yaml": b"app:\n  name: caf\xe9\n",
        "alias.yaml": _text("a: &a [*a]\n"),
    }
    paths = []
    for name, content in broken.items():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    script = Path(sys.executable).with_name("consentgate")
    for command in COMMANDS:
        done = subprocess.run(
            [str(script), command, *paths], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        for path in paths:
            assert path in done.stdout + done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_consent_box_naming_a_recipient_its_purposes_do_not_share_with(tmp_path: Path, command: str) -> None:
    source = (
        HEAD
        + PHONE
        + (
            "recipients:\n  - {id: partner-a, name: A, kind: third-party}\n"
            "  - {id: partner-b, name: B, kind: third-party}\n"
            "purposes:\n  - id: share\n    kind: sharing\n    basis: separate-consent\n    data: [phone]\n"
            "    recipients: [partner-a]\n"
            "onboarding:\n  - id: opt-in\n    consent_boxes:\n"
            "      - {purposes: [share], recipients: [partner-b]}\n"
        )
    )
    case = Case(
        _text(source),
        (20, 42),
        "接收方“partner-b”不在该同意框的处理目的（share）的接收方之列",
        "recipient 'partner-b' receives nothing under this box's purposes (share)",
    )
    _check(command, _write(tmp_path, case), case)
