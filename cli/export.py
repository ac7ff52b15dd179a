"""Commands: export."""
