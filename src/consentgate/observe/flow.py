"""`--flow FLOW.yaml`: the steps a walker cannot guess (a click by text or role, a fill, a wait, a code).

A flow file is data written by a person, so its errors are reported like a manifest's: every problem at
once, with file, line and pointer, in zh and en.

```yaml
steps:
  - click: {text: 同意并继续}
  - fill: {label: 手机号, value: "17000001234"}
  - click: {role: button, text: 获取验证码}
  - wait: {text: 验证码已发送}
  - code: "123456"          # the verification code the walker cannot read from an SMS
  - click: {text: 注册}
```
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from consentgate.errors import ManifestError, ManifestErrors, SourceLocation, UsageError
from consentgate.manifest.yaml_compose import guarded


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Click(_Data):
    """Click the element a person would: by its visible text, by its ARIA role (and name), or both."""

    text: str | None = None
    role: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Click:
        if self.text is None and self.role is None:
            raise ValueError("click needs text or role")
        return self


class Fill(_Data):
    """Type `value` into the field with this label (as a person reads it) or this name attribute."""

    label: str | None = None
    name: str | None = None
    value: str

    @model_validator(mode="after")
    def _something(self) -> Fill:
        if self.label is None and self.name is None:
            raise ValueError("fill needs label or name")
        return self


class Wait(_Data):
    """Wait until this text is on screen (bounded by the per-page settle limit)."""

    text: str


class Step(_Data):
    """Exactly one of click, fill, wait or code."""

    click: Click | None = None
    fill: Fill | None = None
    wait: Wait | None = None
    code: str | None = Field(default=None, description="The verification code to type where one is asked")

    @model_validator(mode="after")
    def _one(self) -> Step:
        given = [k for k in ("click", "fill", "wait", "code") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a step is exactly one of click, fill, wait, code")
        return self


class Flow(_Data):
    steps: tuple[Step, ...] = ()

    def code(self) -> str | None:
        """The verification code the flow provides, if any: the walker types it where a code is asked."""
        return next((s.code for s in self.steps if s.code is not None), None)


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node.start_mark.line + 1


def parse_flow(text: str, path: str = "<string>") -> Flow:
    """A flow from YAML text; every problem at once as `ManifestErrors`, each with its line and pointer."""
    try:
        node = guarded(text, path)  # the manifest's limits first: a bomb never reaches safe_load
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ManifestError.from_key(
            "observe.flow_syntax", path=path, line=line, location=SourceLocation(path, line, 1)
        ) from exc
    try:
        return Flow.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            pointer = "/" + "/".join(str(p) for p in loc)
            line = _line_of(node, loc) if node is not None else 1
            errors.append(
                ManifestError.from_key(
                    "observe.flow_invalid",
                    path=path,
                    line=line,
                    pointer=pointer,
                    problem=error["msg"],
                    location=SourceLocation(path, line, 1, pointer),
                )
            )
        raise ManifestErrors(errors) from exc


def load_flow(path: Path) -> Flow:
    """The flow in `path`; a missing or unreadable file is a usage error, a wrong one `ManifestErrors`."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError.from_key("observe.flow_unreadable", path=str(path), reason=str(exc)) from exc
    return parse_flow(text, str(path))


__all__ = ["Click", "Fill", "Flow", "Step", "Wait", "load_flow", "parse_flow"]
