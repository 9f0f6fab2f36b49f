"""Notices: published versions of the processing rules a person is shown, and how each one changed."""
