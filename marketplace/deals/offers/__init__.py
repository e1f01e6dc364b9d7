"""Offers on listings (license or sponsored research): revisions, counters, decisions."""
