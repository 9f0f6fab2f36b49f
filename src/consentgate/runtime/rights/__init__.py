"""Data-subject rights requests (PIPL 44-50): one request model, its lifecycle and its deadline."""
