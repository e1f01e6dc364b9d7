"""The cohort dashboard: per-startup progress, KPIs, licenses and invoices, with cohort totals.

Built from a fixed number of SQL statements whatever the cohort's size (members, mentors,
milestone counts, the two latest KPI reports, licenses, license payments, invoices: one each),
so a cohort of 200 startups costs the same round trips as one of 2.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from marketplace.accounts.models import Organization, User
from marketplace.core.db import utcnow
from marketplace.incubator import access, billing
from marketplace.incubator.models import CohortMember, KPIReport, MentorAssignment, Milestone
from marketplace.incubator.services.members import licenses_by_startup

#: figures compared with the previous period (``change`` = latest - previous)
KPI_FIGURES = ("revenue_amount", "funding_raised_amount", "headcount", "customers", "burn_amount")
#: figures summed over the startups' latest reports in the cohort totals
KPI_TOTALS = ("revenue_amount", "headcount", "customers", "burn_amount")
MILESTONE_COUNTS = ("total", "done", "due", "overdue", "missed")


def _members(session, cohort_id: int) -> list[CohortMember]:
    return list(
        session.execute(
            sa.select(CohortMember)
            .join(CohortMember.startup)
            .options(contains_eager(CohortMember.startup))
            .where(CohortMember.cohort_id == cohort_id, CohortMember.status != "withdrawn")
            .order_by(Organization.name, CohortMember.id)
        )
        .unique()
        .scalars()
    )


def _mentors(session, cohort_id: int) -> dict[int, list[dict]]:
    rows = session.execute(
        sa.select(MentorAssignment.member_id, User.id, User.name)
        .join(User, User.id == MentorAssignment.mentor_id)
        .join(CohortMember, CohortMember.id == MentorAssignment.member_id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(MentorAssignment.member_id, User.name)
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for member_id, user_id, name in rows:
        out[member_id].append({"id": user_id, "name": name})
    return out


def _milestone_counts(session, cohort_id: int, today: date) -> dict[int, dict]:
    """done | due (pending, due today or later) | overdue (not done, due date passed; includes missed)."""

    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    rows = session.execute(
        sa.select(
            Milestone.member_id,
            sa.func.count(),
            count_if(Milestone.status == "done"),
            count_if(sa.and_(Milestone.status == "pending", Milestone.due_on >= today)),
            count_if(sa.or_(Milestone.status == "missed", sa.and_(Milestone.status == "pending", Milestone.due_on < today))),
            count_if(Milestone.status == "missed"),
        )
        .join(CohortMember, CohortMember.id == Milestone.member_id)
        .where(CohortMember.cohort_id == cohort_id)
        .group_by(Milestone.member_id)
    )
    return {row[0]: dict(zip(MILESTONE_COUNTS, (int(v) for v in row[1:]))) for row in rows}


def _latest_kpis(session, cohort_id: int) -> dict[int, dict]:
    """Each member's latest and previous report and the funding raised over all its reports (one query)."""
    partition = {"partition_by": KPIReport.member_id}
    ranked = (
        sa.select(
            KPIReport.member_id,
            KPIReport.period_start,
            KPIReport.period_end,
            *(getattr(KPIReport, f) for f in KPI_FIGURES),
            sa.func.row_number().over(order_by=(KPIReport.period_start.desc(), KPIReport.id.desc()), **partition).label("rn"),
            sa.func.count().over(**partition).label("reports"),
            sa.func.sum(KPIReport.funding_raised_amount).over(**partition).label("funding_to_date"),
        )
        .join(CohortMember, CohortMember.id == KPIReport.member_id)
        .where(CohortMember.cohort_id == cohort_id)
        .subquery()
    )
    rows = session.execute(sa.select(ranked).where(ranked.c.rn <= 2).order_by(ranked.c.member_id, ranked.c.rn)).mappings()
    out: dict[int, dict] = {}
    for row in rows:
        figures = {f: int(row[f]) for f in KPI_FIGURES}
        if row["rn"] == 1:
            out[row["member_id"]] = {
                "reports": int(row["reports"]),
                "period_start": row["period_start"],
                "period_end": row["period_end"],
                "latest": figures,
                "previous_period_end": None,
                "change": None,
                "funding_raised_to_date": int(row["funding_to_date"]),
            }
        else:
            entry = out[row["member_id"]]
            entry["previous_period_end"] = row["period_end"]
            entry["change"] = {f: entry["latest"][f] - figures[f] for f in KPI_FIGURES}
    return out


def _sum_invoices(groups) -> list[dict]:
    totals: dict[str, dict] = {}
    for group in groups:
        for t in group:
            entry = totals.setdefault(
                t.currency,
                {"currency": t.currency, "paid_amount": 0, "outstanding_amount": 0, "paid_count": 0, "outstanding_count": 0},
            )
            for key in ("paid_amount", "outstanding_amount", "paid_count", "outstanding_count"):
                entry[key] += getattr(t, key)
    return [totals[c] for c in sorted(totals)]


def build(session, actor: User, cohort_id: int, today: date | None = None, *, trends: bool = False) -> dict:
    """The dashboard of a cohort, for the incubator's staff; ``trends``: with every period's KPIs
    (``kpi_trends``), one statement more."""
    cohort = access.cohort(session, actor, cohort_id, staff=True)
    program = cohort.program
    today = today or utcnow().date()
    members = _members(session, cohort.id)
    mentors = _mentors(session, cohort.id)
    milestones = _milestone_counts(session, cohort.id, today)
    kpis = _latest_kpis(session, cohort.id)
    licenses = licenses_by_startup(session, [m.startup_id for m in members])
    licensors = {startup: {lic["licensor"]["id"] for lic in shown} for startup, shown in licenses.items()}
    invoices = billing.invoice_totals(session, members, licensors)
    startups = []
    for m in members:
        startups.append(
            {
                "member_id": m.id,
                "startup": {"id": m.startup_id, "name": m.startup.name},
                "status": m.status,
                "joined_at": m.joined_at,
                "currency": m.currency,
                "fee_amount": m.fee_amount,
                "equity_bps": m.equity_bps,
                "mentors": mentors.get(m.id, []),
                "milestones": milestones.get(m.id) or dict.fromkeys(MILESTONE_COUNTS, 0),
                "kpis": kpis.get(m.id),
                "licenses": licenses.get(m.startup_id, []),
                "invoices": _sum_invoices([invoices.get(m.id, [])]),
            }
        )
    reporting = [s["kpis"] for s in startups if s["kpis"]]
    totals = {
        "startups": len(startups),
        "milestones": {k: sum(s["milestones"][k] for s in startups) for k in MILESTONE_COUNTS},
        "kpis": {
            "reporting_startups": len(reporting),
            **{f: sum(k["latest"][f] for k in reporting) for f in KPI_TOTALS},
            "funding_raised_to_date": sum(k["funding_raised_to_date"] for k in reporting),
        },
        "licenses": sum(len(s["licenses"]) for s in startups),
        "active_licenses": sum(1 for s in startups for lic in s["licenses"] if lic["status"] == "active"),
        "invoices": _sum_invoices(invoices.get(m.id, []) for m in members),
    }
    return {
        **({"trends": _kpi_trends(session, cohort)} if trends else {}),
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "status": cohort.status,
            "is_accepting_applications": cohort.is_accepting_applications,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "capacity": cohort.capacity,
            "program": {"id": program.id, "name": program.name},
        },
        "as_of": today,
        "currency": program.currency,
        "startups": startups,
        "totals": totals,
    }


def kpi_trends(session, actor: User, cohort_id: int) -> dict:
    """Every KPI report of the cohort's startups period by period, and the cohort's totals per
    period (the sum over the startups that reported a period ending that day), in one query."""
    return _kpi_trends(session, access.cohort(session, actor, cohort_id, staff=True))


def _kpi_trends(session, cohort) -> dict:
    rows = session.execute(
        sa.select(KPIReport.member_id, Organization.name, KPIReport.period_end, *(getattr(KPIReport, f) for f in KPI_FIGURES))
        .join(CohortMember, CohortMember.id == KPIReport.member_id)
        .join(Organization, Organization.id == CohortMember.startup_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.status != "withdrawn")
        .order_by(KPIReport.period_end, Organization.name, KPIReport.member_id)
    )
    startups: dict[int, dict] = {}
    totals: dict[date, dict] = {}
    for member_id, name, period_end, *values in rows:
        figures = dict(zip(KPI_FIGURES, (int(v) for v in values)))
        startups.setdefault(member_id, {"member_id": member_id, "name": name, "periods": {}})["periods"][period_end] = figures
        total = totals.setdefault(period_end, dict.fromkeys(KPI_FIGURES, 0))
        for f in KPI_FIGURES:
            total[f] += figures[f]
    return {
        "currency": cohort.program.currency,
        "periods": sorted(totals),
        "startups": sorted(startups.values(), key=lambda s: (s["name"], s["member_id"])),
        "totals": totals,
    }


# ---- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "startup_id", "startup", "status", "milestones_total", "milestones_done", "milestones_due", "milestones_overdue",
    "milestones_missed", "kpi_period_start", "kpi_period_end", "currency",
    *(c for f in KPI_FIGURES for c in (f, f"{f}_change")),
    "funding_raised_to_date", "licenses", "license_terms", "invoices_paid", "invoices_outstanding",
)


def _cell(value) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is prefixed with a quote."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _license_terms(lic: dict) -> str:
    payment = lic["payment"] or {}
    state = f"; payment {payment['state']}" if payment.get("state") else ""
    return (
        f"{lic['licensor']['name']}: {lic['exclusivity']}; fields {' '.join(lic['fields'])}; "
        f"territories {' '.join(lic['territories'])}; royalty {lic['royalty_rate_bps']} bps; "
        f"equity {lic['equity_bps']} bps; {lic['status']}{state}"
    )


def _money_list(invoices: list[dict], key: str) -> str:
    return "; ".join(f"{i['currency']} {i[key]}" for i in invoices)


def to_csv(data: dict) -> str:
    """One row per startup, then a TOTAL row; amounts in minor units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in data["startups"]:
        k = s["kpis"] or {}
        latest, change = k.get("latest") or {}, k.get("change") or {}
        row = {
            "startup_id": s["startup"]["id"],
            "startup": s["startup"]["name"],
            "status": s["status"],
            **{f"milestones_{key}": s["milestones"][key] for key in MILESTONE_COUNTS},
            "kpi_period_start": k.get("period_start"),
            "kpi_period_end": k.get("period_end"),
            "currency": s["currency"],
            **{f: latest.get(f) for f in KPI_FIGURES},
            **{f"{f}_change": change.get(f) for f in KPI_FIGURES},
            "funding_raised_to_date": k.get("funding_raised_to_date"),
            "licenses": len(s["licenses"]),
            "license_terms": " | ".join(_license_terms(lic) for lic in s["licenses"]),
            "invoices_paid": _money_list(s["invoices"], "paid_amount"),
            "invoices_outstanding": _money_list(s["invoices"], "outstanding_amount"),
        }
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    t = data["totals"]
    total = {
        "startup": "TOTAL",
        **{f"milestones_{key}": t["milestones"][key] for key in MILESTONE_COUNTS},
        "currency": data["currency"],
        **{f: t["kpis"][f] for f in KPI_TOTALS},
        "funding_raised_to_date": t["kpis"]["funding_raised_to_date"],
        "licenses": t["licenses"],
        "invoices_paid": _money_list(t["invoices"], "paid_amount"),
        "invoices_outstanding": _money_list(t["invoices"], "outstanding_amount"),
    }
    writer.writerow([_cell(total.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()
