"""Rendered pieces of a page remembered by this process, for pages many people read alike.

A Django template renders a catalog card in about a millisecond of pure Python, under the
GIL; twenty of them and the filter panel were a third of the catalog page's CPU time. Most
people see the same cards and panels, so a piece is rendered once per process and reused
while its key is the same. The key holds everything the piece shows (or the version of the
data it was rendered from) and everything about the viewer it depends on: a key that leaves
something out would show one person's piece to another, so each caller names its key's parts
in one place, next to the template it renders. Entries also expire after `seconds`, a bound
on how long a piece can outlive a change its key does not see, and the oldest go first once
`size` are kept.

Per process, not in the shared cache: a hit costs a dictionary look-up instead of a round
trip to Redis and an unpickling, and nothing needs retiring across processes. The same memo
also keeps other values that many people's pages compute alike (the catalog's facet counts
for an audience), under the same rule for keys.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_MISSING = object()


class FragmentMemo:
    """At most `size` rendered strings (or other values) by key, each for at most `seconds`;
    thread-safe. A value is shared by every caller: it must not be changed once remembered."""

    def __init__(self, *, size: int, seconds: float):
        self.size = size
        self.seconds = seconds
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, default: object = None) -> object:
        """The value remembered under `key`, or `default`."""
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > now:
                self._entries.move_to_end(key)
                return found[1]
        return default

    def put(self, key: Hashable, value: object) -> None:
        """Remember `value` under `key` from now on."""
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_render(self, key: Hashable, render: Callable[[], T]) -> T:
        """The value remembered under `key`, or `render()`'s, remembered from now on."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        # Rendered outside the lock: two threads may render the same piece once each.
        value = render()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
