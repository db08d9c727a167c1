import dataclasses
import datetime
import enum
import uuid
from decimal import Decimal

from pydantic import BaseModel


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    at: datetime.datetime


class Inner(BaseModel):
    when: datetime.datetime
    tags: list


async def handle_serialise(req, state):
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    return {
        "data": {
            "model": Inner(when=at, tags=["a"]),
            "dataclass": Point(x=1, at=at),
            "datetime": at,
            "date": datetime.date(2024, 5, 6),
            "nested": [{"set": {1}, "tuple": (1, 2)}],
            "enum": Colour.RED,
            "uuid": uuid.UUID(int=1),
            "decimal": Decimal("1.5"),
            "none": None,
        }
    }
