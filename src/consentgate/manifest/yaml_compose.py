"""Composes YAML nodes from libyaml's events in Python, counting depth, aliases and nodes as it goes.

libyaml's C parser is a state machine and survives any nesting; PyYAML's C composer recurses once
per level and overflows the C stack (a segfault, not an exception) on a few thousand `[`. So the
parser stays in C and the tree is built here, without recursion: a node deeper than `max_depth`,
an alias past `max_aliases` or a tree past `max_nodes` stops the composition at that event, before
the tree is any bigger. Each node's expanded size (an alias counting every node it stands for) is
known when the node closes, so a billion-laughs file is refused after a few hundred events.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from consentgate.errors import ManifestError, ManifestErrors, SourceLocation
from consentgate.i18n import message
from consentgate.manifest.limits import ManifestLimits, prescan, refusal

# Manifests repeat the same few scalars ("true", "consent", "15"), so resolved tags are memoized
# across files; bounded to stay small.
_MEMO_LIMIT = 50_000
_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}
_SEQUENCE_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_MAPPING_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


class _EventSource(yaml.CSafeLoader):
    """libyaml's safe parser with memoized implicit tag resolution (regex work per scalar otherwise)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or not isinstance(value, str):
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, (bool(implicit[0]), bool(implicit[1])))
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(_TAGS) < _MEMO_LIMIT:
                _TAGS[key] = tag
        return tag


class _Open:
    """A sequence or mapping whose end event has not come yet."""

    __slots__ = ("is_mapping", "key", "node", "size")

    def __init__(self, node: yaml.CollectionNode, is_mapping: bool) -> None:
        self.node = node
        self.is_mapping = is_mapping
        self.key: yaml.Node | None = None  # a mapping's key waiting for its value
        self.size = 1


def _alias_loop(path: str, node: yaml.Node) -> ManifestErrors:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    text = message("error.alias_loop", path=path, line=line, column=column)
    return ManifestErrors([ManifestError(text, location=SourceLocation(path, line, column))])


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Composer:
    """One document's composition; `run` returns its root node, or None for an empty stream."""

    def __init__(self, source: _EventSource, path: str, limits: ManifestLimits) -> None:
        self.source = source
        self.path = path
        self.limits = limits
        self.anchors: dict[str, yaml.Node] = {}
        self.sizes: dict[int, int] = {}  # expanded size of each closed anchored node, by id
        self.open_anchored: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def run(self) -> yaml.Node | None:
        get = self.source.get_event
        get()  # stream start
        if self.source.check_event(StreamEndEvent):
            return None
        get()  # document start
        root = self._tree()
        get()  # document end
        if not self.source.check_event(StreamEndEvent):
            extra: Any = get()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                extra.start_mark,
            )
        return root

    def _anchor(self, anchor: str, node: yaml.Node, event: Any) -> None:
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = node

    def _alias(self, event: Any) -> tuple[yaml.Node, int]:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise refusal("max_aliases", self.path, *_mark(event), self.limits.max_aliases)
        node = self.anchors.get(event.anchor)
        if node is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        if id(node) in self.open_anchored:
            raise _alias_loop(self.path, node)
        return node, self.sizes.get(id(node), 1)

    def _tree(self) -> yaml.Node:
        # The hot loop of every manifest load: locals, no per-event method calls on the common path.
        get = self.source.get_event
        resolve = self.source.resolve
        tags = _TAGS
        max_depth = self.limits.max_depth
        max_nodes = self.limits.max_nodes
        scalar_node, sequence_node, mapping_node = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
        stack: list[_Open] = []
        while True:
            event: Any = get()  # PyYAML's event classes are untyped: each kind has its own fields
            kind = type(event)
            node: yaml.Node
            if kind is ScalarEvent:
                tag = event.tag
                value = event.value
                if tag is None or tag == "!":
                    tag = tags.get((value, event.implicit)) or resolve(scalar_node, value, event.implicit)
                node = scalar_node(tag, value, event.start_mark, event.end_mark, event.style)
                if event.anchor is not None:
                    self._anchor(event.anchor, node, event)
                size = 1
                self.nodes += 1
            elif kind is AliasEvent:
                node, size = self._alias(event)
                self.nodes += size
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                if len(stack) >= max_depth:
                    raise refusal("max_depth", self.path, *_mark(event), max_depth)
                self.nodes += 1
                if self.nodes > max_nodes:
                    raise refusal("max_nodes", self.path, *_mark(event), max_nodes)
                tag = event.tag
                is_mapping = kind is MappingStartEvent
                if tag is None or tag == "!":  # what the safe resolver answers for any untagged collection
                    tag = _MAPPING_TAG if is_mapping else _SEQUENCE_TAG
                node_class = mapping_node if is_mapping else sequence_node
                collection = node_class(tag, [], event.start_mark, None, event.flow_style)
                if event.anchor is not None:
                    self._anchor(event.anchor, collection, event)
                    self.open_anchored.add(id(collection))
                stack.append(_Open(collection, is_mapping))
                continue
            else:  # the end of the innermost open collection
                closed = stack.pop()
                node = closed.node
                node.end_mark = event.end_mark
                size = closed.size
                if id(node) in self.open_anchored:
                    self.open_anchored.discard(id(node))
                    self.sizes[id(node)] = size
            # A collection and its children were counted as they came; a scalar or alias counts now.
            if self.nodes > max_nodes:
                raise refusal("max_nodes", self.path, *_mark(event), max_nodes)
            if not stack:
                return node
            parent = stack[-1]
            parent.size += size
            if parent.is_mapping:
                if parent.key is None:
                    parent.key = node
                else:
                    parent.node.value.append((parent.key, node))
                    parent.key = None
            else:
                parent.node.value.append(node)


def compose(text: str, path: str, limits: ManifestLimits) -> yaml.Node | None:
    """The root node of a single-document YAML text; raises `yaml.YAMLError` or a limit's `ManifestErrors`."""
    source = _EventSource(text)
    try:
        return _Composer(source, path, limits).run()
    finally:
        source.dispose()


def guarded(text: str, path: str, limits: ManifestLimits | None = None) -> yaml.Node | None:
    """The root node of any YAML a person hands us (flows, content catalogs, manifests), under the same
    limits as a manifest: PyYAML's own composer recurses once per nesting level and expands aliases,
    so 50,000 `[` would crash it. Raises `yaml.YAMLError`, or `ManifestErrors` naming the limit hit."""
    chosen = ManifestLimits.from_env() if limits is None else limits
    prescan(text, path, chosen)
    return compose(text, path, chosen)
