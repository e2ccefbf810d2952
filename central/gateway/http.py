"""HTTP client of central's API: the status poll and the stop call."""

import logging

import requests
from django.conf import settings

from central.gateway.messages import StopRequest
from common.errors import CentralRefused, CentralUnavailable

logger = logging.getLogger(__name__)

_session = None


def _http():
    # One connection pool per process, created lazily (after fork).
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def _url(path: str) -> str:
    return settings.CENTRAL_HTTP_URL.rstrip("/") + path


def _timeout():
    return (settings.CENTRAL_CONNECT_TIMEOUT, settings.CENTRAL_READ_TIMEOUT)


def central_stop_session(*, cp_id: str, driver_id: str, session_id: str) -> dict:
    """POST /stop-session. Raises CentralUnavailable (unreachable, 5xx, bad JSON) or CentralRefused."""
    body = StopRequest(cp_id=cp_id, driver_id=driver_id, session_id=session_id).to_wire()
    try:
        response = _http().post(
            _url("/stop-session"), json=body, timeout=_timeout(), verify=settings.CENTRAL_VERIFY_TLS
        )
    except requests.RequestException as exc:
        logger.warning(
            "stop-session %s at %s: central unreachable at %s (%s)", session_id, cp_id, settings.CENTRAL_HTTP_URL, exc
        )
        raise CentralUnavailable() from exc
    if response.status_code in (400, 403, 404):
        message = _message(response)
        logger.warning(
            "stop-session %s at %s refused by central: %s %s", session_id, cp_id, response.status_code, message
        )
        raise CentralRefused(f"Central refused to stop the session: {message}", central_status=response.status_code)
    if response.status_code >= 300:
        logger.warning("stop-session %s at %s: central answered %s", session_id, cp_id, response.status_code)
        raise CentralUnavailable(f"Central answered {response.status_code} to the stop request; try again shortly")
    try:
        return response.json()
    except ValueError as exc:
        raise CentralUnavailable("Central answered the stop request with invalid JSON") from exc


def central_fetch_status() -> dict:
    """GET /cp: the whole picture. Raises CentralUnavailable."""
    try:
        response = _http().get(_url("/cp"), timeout=_timeout(), verify=settings.CENTRAL_VERIFY_TLS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise CentralUnavailable(f"GET {settings.CENTRAL_HTTP_URL}/cp failed: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("charging_points"), list):
        raise CentralUnavailable(f"GET {settings.CENTRAL_HTTP_URL}/cp answered without a charging_points list")
    return data


def _message(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("message") or data.get("error") or data)
    return str(data)
