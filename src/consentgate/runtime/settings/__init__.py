"""The person's own switches outside onboarding: consent per purpose and per recipient, in settings."""
