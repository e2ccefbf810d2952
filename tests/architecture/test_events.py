"""House rule read from the source: live events reach Redis only through events.publish, whose one way in is
`events_publish_on_commit` (after the database commit), so no write can push an event it may still roll back."""

import ast

from tests.architecture.test_writers import ROOT

PACKAGES = ("central", "chargingpoints", "common", "config", "dashboard", "discovery", "drivers", "events")
PACKAGES += ("notifications", "sessions_app", "simulator")
PUBLISHER = "events/publish.py"


def _calls(attribute: str, receiver: str | None = None) -> list[str]:
    """`<receiver>.<attribute>(...)` calls in the product (any receiver when None), as "path:line"."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                named = isinstance(node.func.value, ast.Name) and node.func.value.id == receiver
                if node.func.attr == attribute and (receiver is None or named):
                    found.append(f"{relative}:{node.lineno}")
    return found


def test_only_the_publisher_adds_to_the_events_stream():
    assert {place.split(":")[0] for place in _calls("xadd")} == {PUBLISHER}


def test_events_are_sent_only_by_the_after_commit_hook():
    places = _calls("send", receiver="publisher")

    assert len(places) == 1 and places[0].startswith(PUBLISHER + ":"), places
