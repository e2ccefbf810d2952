"""Writes on charging sessions. `transitions.session_transition` is the only writer of `status`."""

from sessions_app.services.lifecycle import session_cancel, session_request, session_stop
from sessions_app.services.transitions import session_transition

__all__ = ["session_cancel", "session_request", "session_stop", "session_transition"]
