from typing import Any, Dict

from pydantic import BaseModel


class GetUserRequest(BaseModel):
    id: str
    query_params: Dict[str, Any] = {}
    headers: Dict[str, str] = {}
