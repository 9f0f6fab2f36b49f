"""Runtime traces as a second source for observe: camille's export, HAR files and neutral JSON lines.

Readers stream `TraceEvent`s (never the whole trace in memory), the classifier names each event's data
category and actor, the timeline folds them, and inference writes the same manifest the browser does.
"""
