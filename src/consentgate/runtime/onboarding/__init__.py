"""Onboarding: the manifest's screens, asked lawfully — only necessary data is ever required."""
