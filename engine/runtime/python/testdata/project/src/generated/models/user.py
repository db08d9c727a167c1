from datetime import datetime
from typing import Optional

from pydantic import BaseModel


class User(BaseModel):
    id: int
    name: str
    email: str
    createdAt: Optional[datetime] = None

    class Config:
        from_attributes = True
