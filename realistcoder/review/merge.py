"""Merging reviewers' stores: see :mod:`realistcoder.store.merge` (the work is all data copying)."""

from realistcoder.store.merge import MergeReport, merge_store, merge_stores

__all__ = ["MergeReport", "merge_store", "merge_stores"]
