from datetime import datetime

from pydantic import BaseModel


class ManualTrigger(BaseModel):
    payload: str
    timestamp: datetime
