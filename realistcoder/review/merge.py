"""Merging reviewers' stores: see :mod:`realistcoder.store.merge` (the work is all data copying)."""

from realistcoder.store.merge import MergeReport, merge_store, merge_stores
from realistcoder.store.merge_checks import MergeRefused

__all__ = ["MergeRefused", "MergeReport", "merge_store", "merge_stores"]
