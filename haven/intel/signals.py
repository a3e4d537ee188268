"""What intel's decisions tell the layers above it, inside the decision's transaction.

An analyst's merge, split, undo or exclusion moves reported people between subjects; triage listens and
scores those subjects again, so intel never imports triage (import-linter keeps it so).
"""

from __future__ import annotations

from django.dispatch import Signal

# ``members``: the reported people (Member ids) that were linked again; their subjects may have changed.
subjects_relinked = Signal()
