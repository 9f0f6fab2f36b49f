"""Which derived tags a changed value reaches, through their lineage, in the order to redo them.

A tag may be derived from another tag, so a changed value reaches further than the tags that name
it directly. Lineage only ever points at older rows (a row names ids that existed when it was
written), so the graph has no cycles; `graphlib` would say so loudly if one ever appeared.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from graphlib import TopologicalSorter

from consentgate.runtime.profiles.models import ProfileAttributeRow


def dependents(rows: Iterable[ProfileAttributeRow], changed: Collection[str]) -> list[ProfileAttributeRow]:
    """The rows whose lineage reaches any attribute id in `changed`, directly or through other tags,
    each listed after every reached row it derives from."""
    rows = list(rows)
    derived_from_id: dict[str, list[ProfileAttributeRow]] = {}
    for row in rows:
        for source in row.derived_from:
            derived_from_id.setdefault(source, []).append(row)
    reached: dict[str, ProfileAttributeRow] = {}
    frontier = list(changed)
    while frontier:
        for row in derived_from_id.get(frontier.pop(), []):
            if row.attribute_id not in reached:
                reached[row.attribute_id] = row
                frontier.append(row.attribute_id)
    order: TopologicalSorter[str] = TopologicalSorter()
    for row in sorted(reached.values(), key=lambda r: r.data_id):  # a stable order between equals
        order.add(row.attribute_id, *(source for source in row.derived_from if source in reached))
    return [reached[attribute_id] for attribute_id in order.static_order()]
