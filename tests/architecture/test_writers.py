"""House rules read from the source (zulip's lint rules, as tests): one writer of a session's status, and
notifications created only through the notifications app's services."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("central", "common", "config", "dashboard", "discovery", "drivers", "chargingpoints", "notifications")
PRODUCT += ("sessions_app", "simulator")

STATUS_WRITER = "sessions_app/services/transitions.py"
# Creating the session row (always PENDING) is not a status change; the point's status has its own writer.
STATUS_ASSIGNMENT_ALLOWED = {
    STATUS_WRITER,
    "chargingpoints/services.py",
    "simulator/central.py",
    "simulator/engines.py",
}
SESSION_CREATOR = "sessions_app/services/lifecycle.py"


def product_files():
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _chain_names(node) -> set[str]:
    """Every Name and attribute in a call chain such as `ChargingSession.objects.filter(...).update`."""
    names = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.add(node.id)
            return names


def session_status_writes(relative: str, source: str) -> list[str]:
    """Places in one module that write a charging session's status outside its one writer."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                is_status = isinstance(target, ast.Attribute) and target.attr == "status"
                if is_status and relative not in STATUS_ASSIGNMENT_ALLOWED:
                    found.append(f"{relative}:{node.lineno} assigns .status")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = _chain_names(node.func.value) | {node.func.attr}
            if "ChargingSession" not in chain and "sessions" not in chain:
                continue
            keywords = {keyword.arg for keyword in node.keywords}
            if node.func.attr in ("update", "update_or_create", "get_or_create") and "status" in keywords:
                found.append(f"{relative}:{node.lineno} writes status with .{node.func.attr}()")
            if node.func.attr == "bulk_update":
                found.append(f"{relative}:{node.lineno} bulk_update of sessions")
            if node.func.attr == "create" and "status" in keywords and relative != SESSION_CREATOR:
                found.append(f"{relative}:{node.lineno} creates a session with a status")
    return found


# Central's id is stored by the status writer (with a move) or by `session_adopt_central_id`; the model sets the
# pending id when the row is created.
SESSION_ID_WRITERS = {STATUS_WRITER, "sessions_app/services/records.py", "sessions_app/models.py"}


def session_id_writes(relative: str, source: str) -> list[str]:
    """Places outside the two writers of `session_id` that assign it or write it with an update."""
    if relative in SESSION_ID_WRITERS:
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "session_id":
                    found.append(f"{relative}:{node.lineno} assigns .session_id")
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                keys = keyword.value.keys if isinstance(keyword.value, ast.Dict) else []
                if keyword.arg == "changes" and any(getattr(key, "value", None) == "session_id" for key in keys):
                    found.append(f"{relative}:{node.lineno} passes session_id in the changes of a move")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            chain = _chain_names(node.func.value)
            if ("ChargingSession" in chain or "sessions" in chain) and "session_id" in {k.arg for k in node.keywords}:
                found.append(f"{relative}:{node.lineno} writes session_id with .update()")
    return found


NOTIFICATION_CREATORS = ("notification_create", "Notification")


def notification_creations(relative: str, source: str) -> list[str]:
    """Places outside the notifications app that create a Notification directly."""
    if relative.startswith("notifications/"):
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain_names(node.func)
        if isinstance(node.func, ast.Name) and node.func.id in NOTIFICATION_CREATORS:
            found.append(f"{relative}:{node.lineno} calls {node.func.id}()")
        elif "Notification" in chain and chain & {"create", "bulk_create", "get_or_create", "update_or_create"}:
            found.append(f"{relative}:{node.lineno} creates a Notification")
    return found


def test_only_the_one_writer_changes_a_sessions_status():
    violations = [v for relative, source in product_files() for v in session_status_writes(relative, source)]
    assert violations == []


def test_only_two_writers_store_centrals_session_id():
    violations = [v for relative, source in product_files() for v in session_id_writes(relative, source)]
    assert violations == []


@pytest.mark.parametrize(
    "snippet",
    [
        "session.session_id = 'session-1'",
        "ChargingSession.objects.filter(pk=1).update(session_id='session-1')",
        "session_transition(session=1, to_status='APPROVED', changes={'session_id': 's'})",
    ],
)
def test_the_session_id_rule_catches_each_way_of_writing_it(snippet):
    assert session_id_writes("central/sync/stops.py", snippet)


def test_notifications_are_created_only_by_the_notifications_services():
    violations = [v for relative, source in product_files() for v in notification_creations(relative, source)]
    assert violations == []


@pytest.mark.parametrize(
    "snippet",
    [
        "session.status = 'FAILED'",
        "ChargingSession.objects.filter(pk=1).update(status='FAILED')",
        "driver.sessions.filter(pk=1).update(status='STOPPED', reason='x')",
        "ChargingSession.objects.bulk_update(rows, ['status'])",
        "ChargingSession.objects.create(driver=d, status='CHARGING')",
    ],
)
def test_the_status_rule_catches_each_way_of_writing_it(snippet):
    assert session_status_writes("central/sync/updates.py", snippet)


def test_the_status_rule_lets_other_fields_be_written():
    assert (
        session_status_writes("central/sync/updates.py", "ChargingSession.objects.filter(pk=1).update(reason='x')")
        == []
    )


@pytest.mark.parametrize(
    "snippet",
    [
        "Notification.objects.create(driver=d, message='m')",
        "notification_create(driver=d, type='SESSION', message='m')",
        "Notification(driver=d, message='m').save()",
    ],
)
def test_the_notification_rule_catches_direct_creation(snippet):
    assert notification_creations("sessions_app/services/transitions.py", snippet)
