from typing import Any, Dict

from pydantic import BaseModel

from ..dto.create_user_input import CreateUserInput
from ..models.user import User


class CreateUserRequest(BaseModel):
    body: CreateUserInput
    query_params: Dict[str, Any] = {}
    headers: Dict[str, str] = {}


class CreateUserResponse(BaseModel):
    data: User
