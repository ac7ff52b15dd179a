"""Role detection: which sentences read as context, mechanism or outcome evidence, whatever
the codebook holds (see :mod:`.detector`)."""
