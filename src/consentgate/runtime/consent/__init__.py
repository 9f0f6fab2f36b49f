"""The consent ledger: append-only events and their rebuildable projection."""
