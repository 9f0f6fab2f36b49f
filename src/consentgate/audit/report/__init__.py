"""Report formats of an audit (text, JSON, SARIF, HTML), each built from one `AuditDocument`."""
