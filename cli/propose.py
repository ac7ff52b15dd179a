"""Commands: propose."""
