"""The runtime: enforce the same manifest the audit judges, on every processing."""
