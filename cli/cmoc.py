"""Commands: cmoc."""
