import sqlalchemy as sa

from marketplace.accounts.models import Organization
from marketplace.core.outbox import OutboxEvent
from marketplace.extensions import db
from marketplace.ip.models import IPAsset
from marketplace.listings.models import ExpressLicense, Listing, ListingField


def count(stmt) -> int:
    return db.session.execute(stmt).scalar_one()


def test_seed_demo_builds_a_catalogue_through_the_workflow_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    published = sa.select(Listing.id).where(Listing.status == "published")
    assert count(sa.select(sa.func.count()).select_from(published.subquery())) >= 60
    fields = count(sa.select(sa.func.count(sa.distinct(ListingField.code))).where(ListingField.listing_id.in_(published)))
    assert fields >= 30
    universities = count(sa.select(sa.func.count(sa.distinct(Listing.university_id))).where(Listing.status == "published"))
    assert universities >= 4
    for status in ("draft", "in_review", "changes_requested"):
        assert count(sa.select(sa.func.count()).where(Listing.status == status)) >= 3
    assert 5 <= count(sa.select(sa.func.count()).select_from(ExpressLicense)) <= 20
    assert count(sa.select(sa.func.count()).select_from(IPAsset)) >= 60
    # every listing belongs to a verified university and links only that university's assets
    unverified = sa.select(Organization.id).where(Organization.verification_status != "verified")
    assert count(sa.select(sa.func.count()).where(Listing.university_id.in_(unverified))) == 0
    for listing in db.session.execute(sa.select(Listing)).scalars():
        assert all(asset.university_id == listing.university_id for asset in listing.assets)
        assert "lorem" not in listing.description.lower()
    # search can index every published listing from the outbox
    announced = set(db.session.execute(
        sa.select(OutboxEvent.aggregate_id).where(OutboxEvent.topic == "listing.published")).scalars())
    assert announced == set(db.session.execute(published).scalars())
    before = (count(sa.select(sa.func.count()).select_from(Listing)),
              count(sa.select(sa.func.count()).select_from(OutboxEvent)))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert (count(sa.select(sa.func.count()).select_from(Listing)),
            count(sa.select(sa.func.count()).select_from(OutboxEvent))) == before


def test_seeded_listings_read_like_real_ones(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    page = client.get("/api/v1/listings?field=EN&page_size=100").json
    assert page["total"] >= 5
    listing = client.get(f"/api/v1/listings/{page['items'][0]['id']}").json
    assert listing["description"].startswith("Background\n")
    assert listing["assets"] and listing["university"]["name"]
    assert " a a" not in listing["description"] and " a e" not in listing["description"].lower()


def test_seed_demo_publishes_listings_of_vietnamese_universities_written_in_vietnamese(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    vietnamese = sa.select(Organization.id).where(Organization.country == "VN", Organization.kind == "university")
    assert count(sa.select(sa.func.count()).select_from(vietnamese.subquery())) >= 3
    published = db.session.execute(
        sa.select(Listing).where(Listing.university_id.in_(vietnamese), Listing.status == "published")
    ).scalars().all()
    assert len(published) >= 5
    assert all(any(ch in listing.title for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
               for listing in published)
    prices = [l.express_license for l in published if l.express_license is not None]
    assert prices and all(offer.currency == "VND" for offer in prices)
    before = count(sa.select(sa.func.count()).select_from(Listing))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert count(sa.select(sa.func.count()).select_from(Listing)) == before
    page = client.get(f"/listings/{published[0].slug}", headers={"Accept-Language": "vi"})
    assert page.status_code == 200 and published[0].title in page.get_data(as_text=True)
