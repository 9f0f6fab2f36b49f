"""The web pages: end users' onboarding and privacy center, the operator's console, the demo app."""
