"""Request bodies that are not JSON, or nest too deep, answer 400 with `detail`, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

DEEP = '{"cp_id": ' + "[" * 1000 + "]" * 1000 + "}"
ENDPOINTS = ["/drivers/driver-alice/requests", "/drivers/driver-alice/favorites"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [DEEP, '{"cp_id": ' + "[" * 200 + "]" * 200 + "}", '{"cp_id": "CP-001",', "not json", '{"cp_id": NaN}'],
    ids=["1000-deep", "200-deep", "truncated", "not-json", "nan"],
)
def test_bad_json_is_a_400_with_detail(alice_client, cp, path, body):
    response = alice_client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Invalid request payload"


@pytest.mark.parametrize("depth", [1000, 33])
def test_the_answer_says_what_is_wrong(alice_client, cp, depth):
    body = '{"cp_id": "CP-001", "extra": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    response = alice_client.generic("POST", ENDPOINTS[0], body, content_type="application/json")

    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["errors"]["non_field_errors"][0]


def test_reasonable_nesting_is_still_parsed(alice_client, cp):
    body = '{"cp_id": "CP-001", "extra": ' + "[" * 31 + "]" * 31 + "}"
    response = alice_client.generic("POST", ENDPOINTS[1], body, content_type="application/json")

    assert response.status_code == 204
