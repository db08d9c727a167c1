from typing import Any, Dict

from pydantic import BaseModel


class lookupItemRequest(BaseModel):
    item_id: str
    query_params: Dict[str, Any] = {}
    headers: Dict[str, str] = {}
