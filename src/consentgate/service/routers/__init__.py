"""Thin endpoints: the caller's key, one service call, the answer (errors become problem+json)."""
