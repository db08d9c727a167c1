from datetime import datetime, timezone

from generated.api.create_user import CreateUserRequest, CreateUserResponse
from generated.models.user import User


async def handle_create_user(req: CreateUserRequest) -> CreateUserResponse:
    created = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    user = User(id=1, name=req.body.name, email=req.body.email, createdAt=created)
    return CreateUserResponse(data=user)
