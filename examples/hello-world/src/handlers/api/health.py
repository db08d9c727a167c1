from datetime import datetime, timezone

from generated.api.health import HealthRequest, HealthResponse
from generated.dto.health_response_dto import HealthResponseDto
from generated.state import State


async def handle_health(req: HealthRequest, state: State) -> HealthResponse:
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    return HealthResponse(data=HealthResponseDto(status="ok", timestamp=now))
