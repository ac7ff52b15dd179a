"""Commands: ingest."""
