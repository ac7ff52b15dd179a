"""Commands: segment."""
