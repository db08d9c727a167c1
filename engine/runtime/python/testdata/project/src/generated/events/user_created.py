from datetime import datetime

from pydantic import BaseModel

from ..models.user import User


class UserCreated(BaseModel):
    payload: User
    timestamp: datetime
