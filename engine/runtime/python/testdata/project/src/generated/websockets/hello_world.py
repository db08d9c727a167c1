from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ChatMessage(BaseModel):
    type: str
    payload: Any


class HelloWorldMessage(BaseModel):
    data: ChatMessage
    timestamp: datetime


class HelloWorldConnection(BaseModel):
    connection_id: str
    path: str
    connected_at: datetime
