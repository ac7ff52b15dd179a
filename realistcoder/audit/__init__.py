"""Audit: inter-coder agreement, disagreements and consensus, proposal quality, coverage.

- :mod:`agreement`: the statistics (pure functions on reliability data; no SQL, no I/O);
- :mod:`units`: which reviewers, documents and sentences are compared, and the matrices;
- :mod:`summary`: per-code and overall (micro / macro) figures as plain data (the JSON);
- :mod:`disagreements`: sentences where reviewers differ, the consensus worksheet, resolving;
- :mod:`quality`: proposals judged against confirmed codings;
- :mod:`coverage`: how much each reviewer reviewed, and acceptance over time;
- :mod:`report`: text, CSV and HTML rendering.
"""
