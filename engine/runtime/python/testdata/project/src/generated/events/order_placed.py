from datetime import datetime
from typing import Any

from pydantic import BaseModel


class OrderPlaced(BaseModel):
    payload: Any
    timestamp: datetime
    id: str = ""
    attempt: int = 1
