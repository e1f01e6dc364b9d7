"""Bad input never gives a 5xx: out-of-range integers, control characters, deep JSON, bodies that
are not JSON. Each answer is a 4xx problem naming what was wrong, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter


from marketplace.extensions import db
from tests.helpers import assert_problem

INT32_MAX = 2**31 - 1
TOO_BIG = [2**31, 2**63, 10**30]


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation, item.get("parameters", []) + operation.get("parameters", [])


def _schema(spec, schema):
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


# ---- integers beyond the column's range ---------------------------------------------------------


@pytest.mark.parametrize("value", TOO_BIG)
def test_an_id_beyond_the_column_range_in_any_path_is_404(app, admin_client, value):
    answers = {}
    for rule, method in _api_rules(app):
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not ints:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(value) if m.group(1) in ints else "x", rule.rule)
        response = admin_client.open(path, method=method, json={})
        answers[f"{method} {rule.rule}"] = (response.status_code, response.mimetype)
    assert len(answers) > 50
    assert {k: v for k, v in answers.items() if v != (404, "application/problem+json")} == {}


def test_the_spec_states_the_range_of_every_id_in_a_path(spec):
    ranges = {
        (path, p["name"]): (p["schema"].get("minimum"), p["schema"].get("maximum"))
        for path, _, _, params in _operations(spec)
        for p in params
        if p["in"] == "path" and p["schema"]["type"] == "integer"
    }
    assert len(ranges) > 50
    assert set(ranges.values()) == {(1, INT32_MAX)}


def test_the_spec_states_a_range_for_every_integer_a_client_sends(spec):
    unbounded = []

    def walk(schema, where, seen):
        schema = _schema(spec, schema)
        if id(schema) in seen:
            return
        seen.add(id(schema))
        if schema.get("type") == "integer" and ("minimum" not in schema or "maximum" not in schema):
            unbounded.append(where)
        for name, prop in (schema.get("properties") or {}).items():
            if not prop.get("readOnly"):
                walk(prop, f"{where}.{name}", seen)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                walk(schema[key], f"{where}[]", seen)

    count = 0
    for path, method, operation, params in _operations(spec):
        for p in params:
            if p["in"] in ("query", "header"):
                walk(p["schema"], f"{method} {path} ?{p['name']}", set())
                count += 1
        for media in (operation.get("requestBody") or {}).get("content", {}).values():
            walk(media["schema"], f"{method} {path} body", set())
            count += 1
    assert count > 80
    assert unbounded == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("/api/v1/listings?page=999999999999999999", "page"),
        ("/api/v1/listings?university_id=-21575809668170", "university_id"),
        ("/api/v1/listings?university_id=2147483648", "university_id"),
        ("/api/v1/search/listings?page=999999999999999999", "page"),
        ("/api/v1/search/listings?university_id=9223372036854775808", "university_id"),
        ("/api/v1/offers?listing_id=2147483648", "listing_id"),
        ("/api/v1/inquiries?listing_id=9223372036854775808", "listing_id"),
        ("/api/v1/invoices?page_size=100&page=99999999999999999999", "page"),
    ],
)
def test_an_integer_beyond_its_range_in_a_query_string_is_422_naming_it(login, make_user, query, field):
    client = login(make_user(kind="company"))
    assert_problem(client.get(query), 422, field)


@pytest.fixture
def university_staff(login, make_user):
    user = make_user(kind="university")
    return user, login(user)


@pytest.mark.parametrize("value", [2**31, 2**63])
def test_an_id_beyond_its_range_in_a_body_is_422_naming_it(login, make_user, make_listing, university_staff, value):
    company = login(make_user(kind="company"))
    assert_problem(company.post("/api/v1/inquiries", json={"listing_id": value, "subject": "Hi", "message": "Hello"}),
                   422, "listing_id")
    assert_problem(company.post("/api/v1/nda-requests", json={"listing_id": value}), 422, "listing_id")
    user, staff = university_staff
    new = {"title": "Self-healing coating", "summary": "A coating that repairs itself.", "trl": 4,
           "development_stage": "prototype", "asset_ids": [value]}
    assert_problem(staff.post("/api/v1/listings", json=new), 422, "asset_ids")
    listing = make_listing(user.organization)
    response = staff.patch(f"/api/v1/listings/{listing.id}", json={"asset_ids": [1, value]},
                           headers={"If-Match": '"v1"'})
    assert_problem(response, 422, "asset_ids")


@pytest.mark.parametrize("since", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00%2B05:00"])
def test_a_time_that_does_not_exist_in_utc_is_422_naming_it(admin_client, since):
    assert_problem(admin_client.get(f"/api/v1/admin/audit-events?since={since}"), 422, "since")


# ---- control characters in text ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\u0000b", "bad\u0007bell", "esc\u001b[31m", "c1\u0085next", "\ud800 lone surrogate"])
def test_control_characters_in_body_text_are_422_naming_the_field(login, make_user, client, text):
    manager = login(make_user(kind="company"))
    body = assert_problem(manager.patch("/api/v1/organizations/current", json={"description": text}), 422,
                          "description")
    assert "Control characters" in body["errors"]["description"][0]
    assert_problem(manager.post("/api/v1/saved-searches", json={"name": text, "criteria": {}}), 422, "name")
    assert_problem(client.post("/api/v1/auth/login", json={"email": "someone@example.org", "password": text}), 422,
                   "password")
    assert_problem(client.post("/api/v1/auth/password-reset", json={"email": f"some{text}@example.org"}), 422,
                   "email")


def test_tab_line_feed_and_carriage_return_are_kept_in_text(login, make_user):
    manager = login(make_user(kind="company"))
    response = manager.patch("/api/v1/organizations/current", json={"description": "Line one\r\n\tLine two\nEnd"})
    assert response.status_code == 200, response.json
    assert response.json["description"] == "Line one\r\n\tLine two\nEnd"


def test_control_characters_in_a_query_string_are_422_naming_the_parameter(client, login, admin):
    assert_problem(client.get("/api/v1/listings?university=north%00bridge"), 422, "university")
    assert_problem(login(admin).get("/api/v1/admin/users?q=x%00"), 422, "q")


def test_search_text_reads_control_characters_as_spaces_as_documented(client, login, make_user):
    assert client.get("/api/v1/search/listings?q=ink%00jet%c2%85x%1b").status_code == 200
    manager = login(make_user(kind="company"))
    saved = manager.post("/api/v1/saved-searches", json={"name": "Mine", "criteria": {"q": "ink\u0000jet\u0085"}})
    assert saved.status_code == 201, saved.json
    assert saved.json["criteria"]["q"] == "ink jet"


def test_control_characters_in_a_path_segment_match_nothing(client, make_listing):
    make_listing(status="published", slug="ink")
    assert client.get("/api/v1/listings/by-slug/ink").status_code == 200
    assert_problem(client.get("/api/v1/listings/by-slug/in%00k"), 404)
    assert_problem(client.get("/api/v1/listings/by-slug/%1b"), 404)


# ---- JSON the server cannot use ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 5000 + "1" + "}" * 5000,
        '{"description": ' + "[" * 40 + "]" * 40 + "}",
        '{"description": ' + "9" * 5000 + "}",
        '{"description": "unterminated',
    ],
    ids=["arrays-5000-deep", "objects-5000-deep", "arrays-40-deep", "number-of-5000-digits", "broken"],
)
def test_json_too_deep_or_unreadable_is_400(client, login, make_user, raw):
    manager = login(make_user(kind="company"))
    for response in (
        client.post("/api/v1/auth/login", data=raw, content_type="application/json"),
        manager.patch("/api/v1/organizations/current", data=raw, content_type="application/json"),
    ):
        assert_problem(response, 400)


# ---- bodies that are not JSON -----------------------------------------------------------------


def _json_body_operations(spec):
    for path, method, operation, _ in _operations(spec):
        if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
            yield method.upper(), re.sub(r"\{[^}]+\}", "1", path), operation


@pytest.mark.parametrize(
    "kind", [{"data": '{"name": "x"}', "content_type": "text/plain"}, {"data": {"name": "x"}}],
    ids=["text-plain", "form-encoded"],
)
def test_every_endpoint_that_takes_json_answers_415_to_another_body(client, spec, kind):
    operations = list(_json_body_operations(spec))
    assert len(operations) > 40
    answers = {}
    for method, path, _ in operations:
        response = client.open(path, method=method, **kind)
        answers[f"{method} {path}"] = response.status_code
        if response.status_code == 415:
            body = assert_problem(response, 415)
            assert "application/json" in body["detail"]
    assert {k: v for k, v in answers.items() if v != 415} == {}


def test_the_spec_documents_415_and_400_for_every_json_body(spec):
    missing = [f"{m} {p}" for m, p, op in _json_body_operations(spec) if not {"400", "415"} <= set(op["responses"])]
    assert missing == []


def test_a_json_endpoint_still_takes_an_empty_body_and_json_with_a_charset(login, make_user):
    manager = login(make_user(kind="company"))
    response = manager.post("/api/v1/auth/tokens", data='{"name": "ci"}', content_type="application/json; charset=utf-8")
    assert response.status_code == 201, response.json


def test_a_text_body_to_a_listing_edit_is_415_and_changes_nothing(make_listing, university_staff):
    user, staff = university_staff
    listing = make_listing(user.organization, title="Original title of the listing")
    response = staff.patch(f"/api/v1/listings/{listing.id}", data='{"title": "Changed title here"}',
                           content_type="text/plain", headers={"If-Match": '"v1"'})
    assert_problem(response, 415)
    db.session.refresh(listing)
    assert (listing.title, listing.version) == ("Original title of the listing", 1)


# ---- PATCH without a field to change ----------------------------------------------------------


def test_an_empty_patch_of_the_organization_or_a_saved_search_is_422(login, make_user):
    manager = login(make_user(kind="company"))
    saved = manager.post("/api/v1/saved-searches", json={"name": "Mine", "criteria": {"q": "ink"}}).json
    for path in ("/api/v1/organizations/current", f"/api/v1/saved-searches/{saved['id']}"):
        body = assert_problem(manager.patch(path, json={}), 422)
        assert body["detail"] == "Send at least one field to change."
        assert_problem(manager.patch(path), 422)


def test_an_empty_listing_edit_checks_if_match_first_then_is_422(make_listing, university_staff):
    user, staff = university_staff
    listing = make_listing(user.organization)
    path = f"/api/v1/listings/{listing.id}"
    assert_problem(staff.patch(path, json={}), 428)
    assert_problem(staff.patch(path, json={}, headers={"If-Match": '"v7"'}), 412)
    body = assert_problem(staff.patch(path, json={}, headers={"If-Match": '"v1"'}), 422)
    assert body["detail"] == "Send at least one field to change."
    db.session.refresh(listing)
    assert listing.version == 1
