"""The tamper-evident audit log: every change and every released-data decision, hash-chained per tenant."""
