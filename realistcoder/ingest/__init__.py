"""Ingest: PDFs, text and Markdown files become clean, provenance-tracked sentences.

One job per module, in pipeline order:

- :mod:`sources`   which files a PATH argument names; file type, bytes, SHA-256, text decoding
- :mod:`pdf`       pypdfium2 text layer -> positioned line segments (ligatures, fake bold,
                   rotated pages and stamps handled here)
- :mod:`layout`    running heads removed, XY-cut reading order (columns, tables), paragraphs
- :mod:`structure` section kinds (:mod:`sections`): headings, captions, references, front matter
- :mod:`text`      hyphenation, paragraphs continued across columns/pages, character provenance
- :mod:`textfile`  .txt/.md paragraphs, headings, list items, table rows
- :mod:`segment`   sentence boundaries (``split_sentences``)
- :mod:`pipeline`  ``extract(path)`` (pure, runs in workers) and ``ingest(store, paths)``

Import :func:`realistcoder.ingest.pipeline.ingest` / ``extract`` directly; this package
module stays light so that importing :mod:`sections` does not load the PDF libraries.
"""
