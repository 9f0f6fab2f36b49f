"""Purpose-bound profiles: typed attributes and derived tags, readable only for a live purpose."""
