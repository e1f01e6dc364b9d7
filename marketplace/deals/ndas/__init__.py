"""Confidential listing details, and the NDAs that unlock them."""
