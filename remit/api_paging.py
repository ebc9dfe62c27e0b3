"""Pages of API lists, bounded: a limit of 1 to 500 rows and an offset no database refuses.

Why: an offset beyond 64 bits (``?offset=99999999999999999999``) reached the database and
answered 500, and a negative limit did the same; every list now refuses them with a 422
naming the parameter. ``Paging`` is for ``@paginate`` lists; ``OFFSET``/``LIMIT`` for the
lists that take the parameters themselves."""

from __future__ import annotations

from ninja import Field, Query, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 2**53  # exact in every database's integer and in a JSON number
MAX_LIMIT = 500


class Paging(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def offset_query():
    return Query(0, ge=0, le=MAX_OFFSET, description="rows to skip")


def limit_query(default: int = 100):
    return Query(default, ge=1, le=MAX_LIMIT, description=f"rows to return (1-{MAX_LIMIT})")
