import threading
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.ip.licenses import services
from marketplace.ip.licenses.models import License
from marketplace.ip.models import IPAsset


@pytest.fixture
def parties(make_org):
    return make_org("university"), make_org("company"), make_org("company")


@pytest.fixture
def asset(parties):
    asset = IPAsset(university_id=parties[0].id, kind="patent", title="Sensor", status="granted")
    db.session.add(asset)
    db.session.commit()
    return asset


def make_license(parties, assets, *, licensee=1, status="draft", **terms) -> License:
    values = {
        "exclusivity": "exclusive",
        "fields": ["LS.DIAG"],
        "territories": ["US"],
        "start_date": date(2026, 1, 1),
        "end_date": date(2030, 12, 31),
        "currency": "USD",
    }
    values.update(terms)
    lic = License(licensor_id=parties[0].id, licensee_id=parties[licensee].id, source_type="offer", status=status,
                  **values)
    lic.assets = list(assets)
    db.session.add(lic)
    db.session.commit()
    return lic


def test_exclusive_license_conflicts_with_overlapping_field_and_territory(app, parties, asset):
    existing = make_license(parties, [asset], status="active", territories=["EU"])
    candidate = make_license(parties, [asset], licensee=2, fields=["LS"], territories=["DE", "US"])
    with pytest.raises(services.LicenseConflict) as exc:
        services.activate(db.session, candidate)
    conflict = exc.value.extra["conflicts"][0]
    assert conflict["fields"] == ["LS.DIAG"] and conflict["territories"] == ["DE"]
    assert conflict["until"] == "2030-12-31"
    assert "licensee_id" not in conflict  # what is taken, not who took it...
    assert exc.value.found[0].license_id == existing.id  # ...which the audit trail keeps
    assert exc.value.detail == "An exclusive license already covers LS.DIAG in DE until 2030-12-31."


@pytest.mark.parametrize(
    "terms",
    [
        {"fields": ["LS.THER"]},  # another field
        {"territories": ["JP"]},  # another territory
        {"start_date": date(2031, 1, 1), "end_date": None},  # after the term
        {"exclusivity": "non_exclusive", "other": "non_exclusive"},  # two non-exclusive grants
    ],
    ids=["field", "territory", "term", "both-non-exclusive"],
)
def test_licenses_that_differ_in_one_dimension_do_not_conflict(app, parties, asset, terms):
    terms = dict(terms)
    other_kind = terms.pop("other", "exclusive")
    make_license(parties, [asset], status="active", exclusivity=other_kind)
    candidate = make_license(parties, [asset], licensee=2, **terms)
    services.activate(db.session, candidate)
    assert candidate.status == "active"


def test_non_exclusive_license_conflicts_with_an_exclusive_one(app, parties, asset):
    make_license(parties, [asset], status="active", exclusivity="sole")
    candidate = make_license(parties, [asset], licensee=2, exclusivity="non_exclusive", territories=["WORLDWIDE"])
    with pytest.raises(services.LicenseConflict):
        services.activate(db.session, candidate)


def test_licenses_on_different_assets_never_conflict(app, parties, asset):
    other_asset = IPAsset(university_id=parties[0].id, kind="software", title="Tool", status="pending")
    db.session.add(other_asset)
    db.session.commit()
    make_license(parties, [asset], status="active")
    candidate = make_license(parties, [other_asset], licensee=2)
    services.activate(db.session, candidate)
    assert candidate.status == "active"


def test_terminated_and_expired_licenses_do_not_block(app, parties, asset):
    make_license(parties, [asset], status="terminated")
    make_license(parties, [asset], status="expired")
    candidate = make_license(parties, [asset], licensee=2)
    services.activate(db.session, candidate)
    db.session.commit()
    assert db.session.query(AuditEvent).filter_by(action="license.activate").count() == 1


def test_expiry_is_idempotent(app, parties, asset):
    lic = make_license(parties, [asset], status="active", end_date=date(2026, 6, 30))
    assert [x.id for x in services.expire_ended(db.session, date(2026, 7, 1))] == [lic.id]
    db.session.commit()
    assert services.expire_ended(db.session, date(2026, 7, 1)) == []
    assert db.session.get(License, lic.id).status == "expired"


def test_availability_lists_taken_terms_and_open_fields(app, parties, asset):
    make_license(parties, [asset], status="active", fields=["LS.DIAG"], territories=["US"])
    result = services.availability(db.session, [asset], today=date(2026, 2, 1))
    assert [t["fields"] for t in result["taken"]] == [["LS.DIAG"]]
    assert "LS" in result["partially_open_fields"] and "LS" not in result["open_fields"]
    assert "EN" in result["open_fields"]


@pytest.mark.postgres_only
def test_two_racing_activations_cannot_both_win(app, parties, asset):
    first = make_license(parties, [asset], licensee=1)
    second = make_license(parties, [asset], licensee=2)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def race(license_id: int):
        with app.app_context():
            lic = db.session.get(License, license_id)
            _ = lic.assets  # loaded before the race starts
            barrier.wait()
            try:
                services.activate(db.session, lic)
                db.session.commit()
                outcomes[license_id] = "won"
            except services.LicenseConflict:
                db.session.rollback()
                outcomes[license_id] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(lic.id,)) for lic in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "won"]
    active = db.session.execute(sa.select(sa.func.count()).where(License.status == "active")).scalar()
    assert active == 1
