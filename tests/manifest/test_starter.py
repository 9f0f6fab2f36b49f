"""`consentgate init` must hand every one of the 39 app types a manifest that already audits clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.audit.engine import evaluate
from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.errors import UsageError
from consentgate.law.catalog import load_catalog
from consentgate.law.models import AppType
from consentgate.manifest.loader import parse_manifest
from consentgate.manifest.models import Basis, NoticeTiming, PurposeKind
from consentgate.manifest.starter import app_type_by_slug, render_starter

APP_TYPES = sorted(load_catalog().app_types.values(), key=lambda t: t.number)


@pytest.mark.parametrize("app_type", APP_TYPES, ids=lambda t: t.slug)
def test_starter_audits_clean(app_type: AppType) -> None:
    loaded = parse_manifest(render_starter(app_type), f"{app_type.slug}.yaml")
    findings = evaluate(loaded)
    assert [(f.rule_id, f.severity.value, f.location.pointer) for f in findings] == []


@pytest.mark.parametrize("app_type", APP_TYPES, ids=lambda t: t.slug)
def test_starter_holds_exactly_the_necessary_data(app_type: AppType) -> None:
    manifest = parse_manifest(render_starter(app_type)).manifest
    assert manifest.app.type == app_type.slug
    assert {d.category for d in manifest.data} == app_type.necessary_categories
    assert len(manifest.data) == len(app_type.necessary_categories)  # each category once
    (purpose,) = manifest.purposes
    assert purpose.kind is PurposeKind.BASIC_FUNCTION
    assert purpose.basis is Basis.CONTRACT_NECESSITY
    assert sorted(purpose.data) == sorted(d.id for d in manifest.data)


@pytest.mark.parametrize("app_type", APP_TYPES, ids=lambda t: t.slug)
def test_starter_notice_comes_first_and_lists_everything(app_type: AppType) -> None:
    manifest = parse_manifest(render_starter(app_type)).manifest
    (notice,) = manifest.notices
    assert notice.shown is NoticeTiming.BEFORE_COLLECTION
    assert notice.prominent and notice.lists_each_purpose and notice.lists_each_data_item
    assert notice.purposes == [p.id for p in manifest.purposes]
    assert manifest.complaints.published and manifest.complaints.working_days == 15
    for name, right in manifest.rights.by_name().items():
        assert right is not None and right.available and right.working_days == 15, name


@pytest.mark.parametrize("app_type", APP_TYPES, ids=lambda t: t.slug)
def test_login_screen_asks_only_for_necessary_data(app_type: AppType) -> None:
    manifest = parse_manifest(render_starter(app_type)).manifest
    if app_type.no_pi_required:
        assert manifest.data == []
        assert manifest.onboarding == []
        return
    (login,) = manifest.onboarding
    assert login.notice == manifest.notices[0].id
    assert {manifest.data_item(f.data).category for f in login.fields} == app_type.necessary_categories


def test_thirteen_starters_have_no_data_and_no_login() -> None:
    empty = [t.slug for t in APP_TYPES if not parse_manifest(render_starter(t)).manifest.data]
    assert len(empty) == 13


def test_starter_explains_itself_in_both_languages() -> None:
    text = render_starter(load_catalog().app_types["learning-education"])
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert any("必要个人信息" in line for line in comments)
    assert any("necessary personal information" in line for line in comments)
    assert "TODO" in text


def test_unknown_slug_suggests_the_closest() -> None:
    with pytest.raises(UsageError) as raised:
        app_type_by_slug("learning-educaton")
    assert "learning-education" in raised.value.text.zh
    assert "did you mean 'learning-education'" in raised.value.text.en


def test_a_starter_for_a_service_outside_the_39_types_audits_clean() -> None:
    """`init --type other`: the operator's own statement of its basic service, and nothing left open."""
    loaded = parse_manifest(render_starter(None), "other.yaml")
    app = loaded.manifest.app
    assert app.type == "other" and app.basic_service is not None and app.necessary_data == ["contact.phone"]
    assert [(f.rule_id, f.severity.value, f.location.pointer) for f in evaluate(loaded)] == []


def test_init_writes_the_other_starter(tmp_path: Path) -> None:
    register_all()
    target = tmp_path / "app.yaml"
    result = CliRunner().invoke(app, ["init", "--type", "other", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "type: other" in target.read_text("utf-8")
