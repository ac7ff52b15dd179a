"""Commands: audit."""
