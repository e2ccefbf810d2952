"""What the sessions domain needs from central, without importing the app that talks to it.

The central app registers its adapter at start-up (`central.apps.CentralConfig.ready`). Domain services
record intent through it: a request to send (in the caller's transaction, so it is sent exactly when the
session exists), a stop central still owes (after commit), and the driver's synchronous stop call.
"""

from typing import Protocol


class CentralPort(Protocol):
    def request_created(self, session) -> None:
        """Record, in the caller's transaction, that central must be sent this new request."""

    def stop_session(self, *, cp_id: str, driver_id: str, session_id: str) -> None:
        """Ask central to stop the session now. Raises CentralRefused (409) or CentralUnavailable (502)."""

    def stop_owed(self, session_pk: int) -> None:
        """After commit: act soon on a session marked `central_stop_pending` (the periodic retry is the net)."""


_port: CentralPort | None = None


def central_port_register(port: CentralPort) -> None:
    global _port
    _port = port


def central_port() -> CentralPort:
    if _port is None:
        raise RuntimeError("no central adapter registered: is the `central` app in INSTALLED_APPS?")
    return _port
