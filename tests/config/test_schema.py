"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/."""

import pytest

EXPECTED_OPERATIONS = {
    ("/health", "get"),
    ("/health/ready", "get"),
    ("/sync-status", "get"),
    ("/charging-points", "get"),
    ("/charging-points/{cp_id}", "get"),
    ("/drivers/{driver_id}/requests", "post"),
    ("/drivers/{driver_id}/requests/{request_id}", "delete"),
    ("/drivers/{driver_id}/sessions/current", "get"),
    ("/drivers/{driver_id}/sessions/{session_id}/stop", "post"),
    ("/drivers/{driver_id}/sessions/history", "get"),
    ("/drivers/{driver_id}/favorites", "get"),
    ("/drivers/{driver_id}/favorites", "post"),
    ("/drivers/{driver_id}/favorites/{cp_id}", "delete"),
    ("/drivers/{driver_id}/watches", "get"),
    ("/drivers/{driver_id}/watches", "post"),
    ("/drivers/{driver_id}/watches/{cp_id}", "delete"),
    ("/drivers/{driver_id}/notifications", "get"),
    ("/drivers/{driver_id}/notifications/{notification_id}/read", "post"),
    ("/drivers/{driver_id}/notifications/read-all", "post"),
    ("/drivers/{driver_id}/alerts", "get"),
    ("/drivers/{driver_id}/queue", "get"),
    ("/drivers/{driver_id}/events", "get"),
    ("/receipts/{session_id}.pdf", "get"),
    ("/receipts/{session_id}.json", "get"),
}


@pytest.fixture
def schema(anon_client, db):
    response = anon_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_has_every_endpoint(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item if method != "parameters"}

    assert operations == EXPECTED_OPERATIONS


def test_driver_endpoints_document_their_errors(schema):
    for path, item in schema["paths"].items():
        if not path.startswith("/drivers/"):
            continue
        for method, operation in item.items():
            assert {"401", "404"} <= set(operation["responses"]), (method, path)
            if method != "get":
                assert "429" in operation["responses"], (method, path)


def test_errors_and_parameters_are_described(schema):
    paths = schema["paths"]
    listing = paths["/charging-points"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "city",
        "connector_type",
        "min_power_kw",
        "only_available",
        "favorites_only",
        "lat",
        "lng",
        "radius_km",
        "ordering",
        "q",
        "bbox",
        "limit",
        "offset",
        "include",
    }
    assert "400" in listing["responses"]
    request = paths["/drivers/{driver_id}/requests"]["post"]
    assert {"202", "400", "404", "409"} <= set(request["responses"])
    stop = paths["/drivers/{driver_id}/sessions/{session_id}/stop"]["post"]
    assert {"200", "404", "409", "502"} <= set(stop["responses"])
    assert {p["name"] for p in paths["/drivers/{driver_id}/sessions/history"]["get"]["parameters"]} >= {
        "limit",
        "offset",
    }
    assert "ValidationError" in schema["components"]["schemas"]
    assert "estimated_wait_minutes" in schema["components"]["schemas"]["ChargingPoint"]["properties"]


def test_receipts_are_documented_as_pdf_and_as_a_charge_detail_record(schema):
    pdf = schema["paths"]["/receipts/{session_id}.pdf"]["get"]
    cdr = schema["paths"]["/receipts/{session_id}.json"]["get"]

    assert pdf["responses"]["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert {"401", "404"} <= set(pdf["responses"]) and {"401", "404"} <= set(cdr["responses"])
    assert "VAT" in pdf["description"] and "OCPI" in cdr["description"]
    record = schema["components"]["schemas"]["ChargeDetailRecord"]["properties"]
    assert {"total_energy", "total_time", "total_cost", "cdr_location", "tariffs", "remark"} <= set(record)


def test_token_and_session_auth_are_declared(schema):
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_swagger_ui_loads_its_assets_locally(anon_client, db):
    response = anon_client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_swagger_ui_assets_are_served(anon_client, db):
    response = anon_client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200


def test_watches_are_documented(schema):
    paths = schema["paths"]
    add = paths["/drivers/{driver_id}/watches"]["post"]
    assert {"200", "201", "400", "404", "429"} <= set(add["responses"])
    assert "FREE now is a **400** naming `cp_id`" in add["description"]
    assert "WATCH_EXPIRY_SECONDS" in add["description"]
    watch = schema["components"]["schemas"]["Watch"]["properties"]
    assert set(watch) == {"cp_id", "name", "point_status", "created_at", "expires_at"}
    assert "204" in paths["/drivers/{driver_id}/watches/{cp_id}"]["delete"]["responses"]
