"""Connections (or the threads that own them) lent to one caller at a time, in
the order callers asked.

asyncio.Queue would let a newcomer take the connection just handed back
while a caller woken for it has not run yet; that caller then queues again at
the back, and under load a few requests wait seconds behind ever newer ones.
Here a returned item goes straight to the longest waiter."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lender(Generic[T]):
    def __init__(self, size: int, opener: Callable[[], Awaitable[T]]) -> None:
        self._size = size
        self._open = opener
        self._opened = 0
        self._idle: list[T] = []
        # None wakes a waiter to open an item in place of a discarded one.
        self._waiters: deque[asyncio.Future[T | None]] = deque()

    async def borrow(self) -> T:
        if self._idle:
            return self._idle.pop()
        if self._opened < self._size:
            return await self._open_one()
        waiter: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            item = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._hand_on(waiter.result())  # given just as we were cancelled
            raise
        return await self.borrow() if item is None else item

    def give_back(self, item: T) -> None:
        self._hand_on(item)

    def discard(self) -> None:
        """A borrowed item is gone (a broken connection): another may open."""
        self._opened -= 1
        self._hand_on(None)

    def drain(self) -> list[T]:
        """The idle items, no longer lent: the caller closes them."""
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        return idle

    def _hand_on(self, item: T | None) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        if item is not None:
            self._idle.append(item)

    async def _open_one(self) -> T:
        self._opened += 1
        try:
            return await self._open()
        except BaseException:
            self.discard()
            raise
