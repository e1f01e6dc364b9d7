"""Incubators: programs, cohorts, applications and reviews, milestones, KPIs, cohort dashboard."""
