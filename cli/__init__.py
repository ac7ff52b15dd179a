"""The click front end (installed as ``realistcoder.cli``): thin commands over the library."""
