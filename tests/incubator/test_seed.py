import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.accounts.seed import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.incubator.models import Application, Cohort, CohortMember, KPIReport, Milestone, Review
from marketplace.ip.licenses.models import License


def _counts():
    return {model.__name__: db.session.query(model).count()
            for model in (Cohort, Application, CohortMember, Milestone, KPIReport, Review, License)}


def test_seed_demo_adds_a_running_and_an_open_cohort_once(app, login):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = _counts()
    assert counts == {"Cohort": 2, "Application": 7, "CohortMember": 4, "Milestone": 9, "KPIReport": 8, "Review": 3,
                      "License": 3}  # the incubator seeds one license; the deals seeder two more
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts() == counts
    running = db.session.execute(sa.select(Cohort).where(Cohort.status == "running")).scalar_one()
    manager = db.session.execute(sa.select(User).where(User.email == "programs@harbor-incubator.org")).scalar_one()
    data = login(manager, DEMO_PASSWORD).get(f"/api/v1/incubator/cohorts/{running.id}/dashboard").json
    assert len(data["startups"]) == 4
    assert data["totals"]["milestones"]["done"] == 3 and data["totals"]["milestones"]["overdue"] == 2
    assert data["totals"]["licenses"] == 1 and data["totals"]["kpis"]["reporting_startups"] == 4
    quantaleaf = next(s for s in data["startups"] if s["startup"]["name"] == "QuantaLeaf")
    assert quantaleaf["licenses"][0]["payment"]["state"] == "outstanding"
    fees = next(t for t in data["totals"]["invoices"] if t["currency"] == "USD")
    assert (fees["paid_count"], fees["paid_amount"]) == (2, 1_000_000)
    assert all(s["kpis"]["change"] is not None for s in data["startups"])
    open_cohort = db.session.execute(sa.select(Cohort).where(Cohort.status == "open")).scalar_one()
    ranking = login(manager, DEMO_PASSWORD).get(f"/api/v1/incubator/cohorts/{open_cohort.id}/ranking").json
    assert [r["review_count"] for r in ranking["items"]] == [2, 1]
