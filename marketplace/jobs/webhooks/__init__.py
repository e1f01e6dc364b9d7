"""Outgoing webhooks for integrators: endpoints an organization's managers register, and the
deliveries the worker makes to them (Standard Webhooks signatures, retries with exponential
backoff for about three days, a delivery log, redelivery, disabling after persistent failure)."""
