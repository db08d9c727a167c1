from typing import Any, Dict, Optional

from generated.state import State


async def auth_middleware(context: Dict[str, Any], state: State) -> Optional[Dict[str, Any]]:
    """Passes every request through; return a dict to modify it, raise HttpError to reject."""
    target = context.get("api_name") or context.get("websocket_name")
    state.logger.debug("auth middleware", target=target, trace_id=context.get("trace_id"))
    return None
