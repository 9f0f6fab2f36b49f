"""Push campaigns: fanned out in batches, personalized only where the gate allows, delivered through a port."""
