"""Rate limits hold across the workers of one machine; production refuses per-process counters."""

from __future__ import annotations

import time

import pytest

from marketplace.config import ConfigError, check_config
from tests.conftest import PASSWORD
from tests.helpers import at_once
from tests.live_server import gunicorn, run_until_exit, server_env

LOGIN = "/api/v1/auth/login"


def test_login_limit_per_account_holds_across_two_gunicorn_workers_on_the_default_storage(
    app, make_user, tmp_path
):
    user = make_user()
    env = server_env(
        APP_ENV="development",
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="live-server-secret",
        SEARCH_INDEX_DIR=str(tmp_path / "search-index"),
        LOGIN_RATE_LIMIT_PER_ACCOUNT="5 per minute",
    )
    wrong = {"email": user.email, "password": "not-the-password"}
    with gunicorn(env, workers=2) as server:
        statuses = sorted(status for status, _ in at_once(*[lambda: server.request("POST", LOGIN, wrong)] * 12))
        right_status, right_body = server.request("POST", LOGIN, {"email": user.email, "password": PASSWORD})
        served_by = server.worker_pids("POST", LOGIN)
    assert len(served_by) == 2, "both workers must have answered login attempts for this test to mean anything"
    assert statuses == [401] * 5 + [429] * 7
    assert right_status == 429, right_body
    assert (tmp_path / "instance" / "ratelimits.sqlite").exists()


def test_production_refuses_to_start_with_per_process_rate_limits(tmp_path):
    env = server_env(
        APP_ENV="production",
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        SECRET_KEY="live-server-secret",
        RATELIMIT_STORAGE_URI="memory://",
    )
    code, output = run_until_exit(env, workers=2)
    assert code != 0
    assert "RATELIMIT_STORAGE_URI=memory://" in output and "RATELIMIT_ALLOW_PER_PROCESS" in output


@pytest.mark.parametrize("uri", ["memory://", "memory:///"])
def test_production_accepts_per_process_rate_limits_only_when_explicitly_allowed(uri):
    production = {"APP_ENV": "production", "RATELIMIT_STORAGE_URI": uri}
    with pytest.raises(ConfigError, match="RATELIMIT_ALLOW_PER_PROCESS"):
        check_config(production)
    check_config(production | {"RATELIMIT_ALLOW_PER_PROCESS": True})
    check_config(production | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    check_config({"APP_ENV": "development", "RATELIMIT_STORAGE_URI": uri})


def test_login_attempts_are_allowed_again_once_the_window_has_passed(app, client, make_user):
    user = make_user()
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("sqlite:///")
    app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"] = "2 per 2 seconds"
    try:
        wrong = {"email": user.email, "password": "not-the-password"}
        assert [client.post(LOGIN, json=wrong).status_code for _ in range(3)] == [401, 401, 429]
        time.sleep(2.1)
        assert client.post(LOGIN, json={"email": user.email, "password": PASSWORD}).status_code == 200
    finally:
        app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"] = "5 per minute"
