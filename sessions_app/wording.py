"""Central's reasons in the driver's words.

Central explains a refusal or a failure in its own terms ("Charging point not available (state: DISCONNECTED)"):
the states of its engines and monitors mean nothing to a driver. The stored reason stays central's (operators and
logs need it); what the driver reads goes through `plain_reason`.
"""

import re

# "(state: X)" at the end of central's "Charging point not available" (shared/docs/central-protocol.md).
_STATE = re.compile(r"\(state:\s*([A-Z_]+)\)")

# Display and engine states (central/gateway/messages.py, central/sync/poll.py) -> what the driver can do with it.
_STATE_WORDS = {
    "DISCONNECTED": "This point is offline",
    "OUT_OF_SERVICE": "This point is out of service",
    "BROKEN": "This point is out of order",
    "FAULT": "This point is out of order",
    "TURNED_OFF_WEATHER": "This point is switched off because of the weather",
    "ENCRYPTION_ERROR": "This point cannot be reached securely right now",
    "REVOKED": "This point has been taken out of the network",
    "SUPPLYING": "This point is in use by someone else",
    "STOPPED": "This point has been stopped by the operator",
}

_PHRASES = {
    "Charging point not found": "This point is not known to the network",
    "Charging point not available": "This point is not available right now",
}


def plain_reason(reason: str | None, *, default: str = "no reason given") -> str:
    """Central's `reason` as a driver reads it; the dashboard's own reasons (already plain) pass through."""
    text = (reason or "").strip()
    if not text:
        return default
    match = _STATE.search(text)
    if match and match.group(1) in _STATE_WORDS:
        return _STATE_WORDS[match.group(1)]
    for phrase, words in _PHRASES.items():
        if text.startswith(phrase):
            return words
    return text
