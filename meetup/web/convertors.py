"""URL convertors. `{name:id}` matches row ids that fit a 32-bit column, so a
made-up 30-digit id is a 404 instead of a database overflow."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class IdConvertor(Convertor[int]):
    regex = "[1-9][0-9]{0,8}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


class BookingTokenConvertor(Convertor[str]):
    """A coffee booking's link, `c<id>.<mac>`, so `/r/…` tells bookings from RSVPs."""

    regex = "c[1-9][0-9]{0,8}\\.[A-Za-z0-9_-]{20,64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("booking", BookingTokenConvertor())
