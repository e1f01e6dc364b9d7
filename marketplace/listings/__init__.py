"""Listings of commercializable research, express licenses, the moderation workflow and flags."""
