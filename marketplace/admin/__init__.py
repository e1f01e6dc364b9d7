"""Administration: verification, suspension, the audit trail (reads everything; nothing imports it)."""
