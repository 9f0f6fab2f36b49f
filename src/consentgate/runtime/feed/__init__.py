"""The feed: personalized ranking only on what the gate releases, and a real non-personalized path.

PIPL 24 and ARP 17: a person must be able to have a feed that does not target them, switch with
one call, and see for every item why it was chosen and where to turn personalization off.
"""
