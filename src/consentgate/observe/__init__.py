"""Observe: what an app really does, seen by a real browser (and, later, read from runtime traces).

The walk records an `Observation` (`model.py`); `infer.py` turns it into a partial manifest, with
unknown wherever nothing was seen, and the same rules that audit a manifest judge it.
"""
