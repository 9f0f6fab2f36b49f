"""Telling every process of a change another process made (consent, restriction, erasure, notices)."""
