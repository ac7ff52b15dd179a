"""Commands: codebook."""
