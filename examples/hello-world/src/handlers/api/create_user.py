from datetime import datetime, timezone

from generated.api.create_user import CreateUserRequest, CreateUserResponse
from generated.models.user import User


# Takes only `req`: the schema's `triggers: [UserCreated]` publishes the returned user.
async def handle_create_user(req: CreateUserRequest) -> CreateUserResponse:
    user = User(
        id=1,
        name=req.body.name,
        email=req.body.email,
        createdAt=datetime.now(timezone.utc),
    )
    return CreateUserResponse(data=user)
