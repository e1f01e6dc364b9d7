"""Incubator programs, cohorts, applications and reviews, cohort members, milestones and KPIs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, TimestampMixin, utcnow

COHORT_STATUSES = ("planning", "open", "selecting", "running", "graduated")
APPLICATION_STATUSES = ("draft", "submitted", "accepted", "waitlisted", "rejected", "withdrawn")
MEMBER_STATUSES = ("active", "withdrawn", "graduated")
MILESTONE_STATUSES = ("pending", "done", "missed")
SCORE_MIN, SCORE_MAX = 1, 5


class Program(TimestampMixin, Base):
    """A recurring incubation program of an incubator, with its terms for every startup."""

    __tablename__ = "incubator_programs"
    __audit_type__ = "incubator_program"

    id: Mapped[int] = mapped_column(primary_key=True)
    incubator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: technology field codes from the taxonomy the program focuses on
    focus_fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: the program fee each accepted startup pays, invoiced when the cohort starts (0: free)
    fee_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: days after the invoice is issued that the fee falls due
    fee_due_days: Mapped[int] = mapped_column(default=30)
    #: equity the incubator takes in each startup, in basis points
    equity_bps: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    incubator: Mapped[Organization] = relationship()
    cohorts: Mapped[list[Cohort]] = relationship(back_populates="program", order_by="Cohort.id")

    __table_args__ = (
        sa.CheckConstraint("fee_amount >= 0 AND fee_due_days >= 0 AND equity_bps BETWEEN 0 AND 10000", name="terms"),
    )


class Cohort(TimestampMixin, Base):
    """One intake of a program: an application window, a capacity, a rubric and its startups."""

    __tablename__ = "incubator_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_programs.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: most startups that may be accepted
    capacity: Mapped[int]
    applications_open_at: Mapped[datetime]
    applications_close_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(20), default="planning", index=True)
    #: ``[{"key": "team", "text": "Who is on the team?", "required": true}]``, answered by applicants
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="RubricCriterion.position"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN {COHORT_STATUSES!r}", name="status"),
        sa.CheckConstraint("capacity > 0", name="capacity"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
        sa.CheckConstraint("applications_close_at > applications_open_at", name="window"),
    )

    @property
    def is_accepting_applications(self) -> bool:
        """Open, and now is inside the application window."""
        return self.status == "open" and self.applications_open_at <= utcnow() < self.applications_close_at


class RubricCriterion(Base):
    """One criterion reviewers score (1-5); its weight says how much it counts."""

    __tablename__ = "incubator_rubric_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_cohorts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: a positive integer; a criterion of weight 2 counts twice as much as one of weight 1
    weight: Mapped[int]

    cohort: Mapped[Cohort] = relationship(back_populates="criteria")

    __table_args__ = (sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight"),)


class Application(TimestampMixin, Base):
    """A startup's application to a cohort: pitch, answers, decision."""

    __tablename__ = "incubator_applications"
    __audit_type__ = "incubator_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_cohorts.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    pitch: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``{question key: answer}``
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    #: when the startup was put on the waitlist; the earliest is promoted first
    waitlisted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the reason given with a rejection (shown to the startup)
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship()
    startup: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "startup_id", name="uq_incubator_applications_cohort_startup"),
        sa.CheckConstraint(f"status IN {APPLICATION_STATUSES!r}", name="status"),
    )


class ReviewerAssignment(Base):
    """A member of the incubator asked to review one application."""

    __tablename__ = "incubator_reviewer_assignments"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), primary_key=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    assigned_at: Mapped[datetime]
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class Review(TimestampMixin, Base):
    """One reviewer's scores for one application, a score for every criterion of the rubric."""

    __tablename__ = "incubator_reviews"
    __audit_type__ = "incubator_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.criterion_id"
    )

    __table_args__ = (
        sa.UniqueConstraint("application_id", "reviewer_id", name="uq_incubator_reviews_application_reviewer"),
    )


class ReviewScore(Base):
    __tablename__ = "incubator_review_scores"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_reviews.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_rubric_criteria.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()

    __table_args__ = (sa.CheckConstraint(f"score BETWEEN {SCORE_MIN} AND {SCORE_MAX}", name="score"),)


class CohortMember(Base):
    """A startup accepted into a cohort, with the program's terms as they were when it joined."""

    __tablename__ = "incubator_cohort_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_cohorts.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="active", index=True)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    #: terms copied from the program at acceptance, so later program edits do not change them
    currency: Mapped[str] = mapped_column(sa.String(3))
    fee_amount: Mapped[int] = mapped_column(sa.BigInteger)
    equity_bps: Mapped[int]
    #: the program-fee invoice (payments), once issued
    fee_invoice_id: Mapped[int | None]

    cohort: Mapped[Cohort] = relationship()
    startup: Mapped[Organization] = relationship()
    mentors: Mapped[list[MentorAssignment]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MentorAssignment.mentor_id"
    )

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "startup_id", name="uq_incubator_cohort_members_cohort_startup"),
        sa.CheckConstraint(f"status IN {MEMBER_STATUSES!r}", name="status"),
    )


class MentorAssignment(Base):
    """A member of the incubator mentoring one startup of a cohort."""

    __tablename__ = "incubator_mentor_assignments"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_cohort_members.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    assigned_at: Mapped[datetime]

    member: Mapped[CohortMember] = relationship(back_populates="mentors")
    mentor: Mapped[User] = relationship()


class Milestone(TimestampMixin, Base):
    """Something a startup commits to reach by a date; the incubator confirms it."""

    __tablename__ = "incubator_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_cohort_members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    #: what the startup submitted to show the milestone is reached (text or a link)
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    evidence_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: when it was marked missed, by a manager or by ``flask incubator milestones-overdue``
    missed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    member: Mapped[CohortMember] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (sa.CheckConstraint(f"status IN {MILESTONE_STATUSES!r}", name="status"),)


class KPIReport(TimestampMixin, Base):
    """A startup's key figures for one period; amounts in the program's currency."""

    __tablename__ = "incubator_kpi_reports"
    __audit_type__ = "kpi_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_cohort_members.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    revenue_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: money raised from investors during the period
    funding_raised_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    headcount: Mapped[int] = mapped_column(default=0)
    customers: Mapped[int] = mapped_column(default=0)
    #: net cash spent during the period
    burn_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    highlights: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    member: Mapped[CohortMember] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("member_id", "period_start", name="uq_incubator_kpi_reports_member_period"),
        sa.CheckConstraint("period_end >= period_start", name="period"),
        sa.CheckConstraint(
            "revenue_amount >= 0 AND funding_raised_amount >= 0 AND burn_amount >= 0 AND headcount >= 0"
            " AND customers >= 0",
            name="figures",
        ),
    )
