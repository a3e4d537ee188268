"""The worker's start: the heap allocated so far is frozen out of the garbage collector's reach."""

from __future__ import annotations

import gc

from haven.core.heap import freeze_startup_heap


def test_the_startup_heap_is_frozen() -> None:
    gc.unfreeze()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 1000  # Django and the apps, at the least
    finally:
        gc.unfreeze()
