from typing import Any, Dict, Optional

from generated.state import State


async def auth_middleware(context: Dict[str, Any], state: State) -> Optional[Dict[str, Any]]:
    """Middleware auth: runs before the handler.

    Return None to pass, a dict with "payload" or "query_params" to replace them,
    or raise HttpError(status, message) to reject the request with that status.
    """
    state.logger.debug("Middleware passed", trace_id=context.get("trace_id"))
    return None
