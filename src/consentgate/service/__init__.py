"""The HTTP service: every runtime capability over HTTP, per tenant, behind API keys (issue [5 of 5])."""
