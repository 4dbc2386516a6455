"""Values kept per key while what they were made from (their stamp) stays
the same, the least recently used dropped first: a host's slots per data
version, an event's row per catalog version, a rendered page per event."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._kept: OrderedDict[K, tuple[object, V]] = OrderedDict()

    def get(self, key: K, stamp: object) -> V | None:
        """The value kept for `key` if it was made from `stamp`."""
        kept = self._kept.get(key)
        if kept is None or kept[0] != stamp:
            return None
        self._kept.move_to_end(key)
        return kept[1]

    def put(self, key: K, stamp: object, value: V) -> None:
        self._kept[key] = (stamp, value)
        self._kept.move_to_end(key)
        while len(self._kept) > self.entries:
            self._kept.popitem(last=False)
