"""What the bank's actions tell the rest of the process after they commit.

The actions send these; the matcher listens. So the actions never import the matcher (import-linter keeps
it so), and another process learns the same changes from the database (``changes.py``).
"""

from __future__ import annotations

from django.dispatch import Signal

# ``record_ids``: the records whose hashes, status or grade may have changed.
records_changed = Signal()
# A list's threshold or enabled flag changed.
lists_changed = Signal()
