import pytest

from marketplace import create_app
from marketplace.core.errors import InvalidTransition
from tests.conftest import app_config
from tests.helpers import assert_problem


def test_unknown_route_is_404_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_problem_with_allow_header(client):
    response = client.delete("/api/v1/auth/login")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_problem_type_is_specific(client):
    body = client.get("/api/v1/auth/me").json
    assert body["type"].endswith("/unauthorized")


@pytest.fixture
def raising_app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path))

    @app.get("/api/v1/boom")  # API routes answer problem+json; pages answer HTML
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/illegal")
    def illegal():
        raise InvalidTransition("Cannot publish a listing that is archived.", current_state="archived",
                                allowed_actions=[])

    return app


def test_unexpected_error_is_500_problem_without_internals(raising_app):
    response = raising_app.test_client().get("/api/v1/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"


def test_invalid_transition_is_409_with_state_and_allowed_actions(raising_app):
    body = assert_problem(raising_app.test_client().get("/api/v1/illegal"), 409)
    assert body["current_state"] == "archived" and body["allowed_actions"] == []


def test_security_headers_are_set(client):
    response = client.get("/api/v1/auth/me")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_query_validation_errors_name_the_field(admin_client):
    body = assert_problem(admin_client.get("/api/v1/admin/users?page_size=1000&page=0"), 422, "page_size", "page")
    assert "page_size" in body["detail"]
