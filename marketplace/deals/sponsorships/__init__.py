"""Sponsored-research agreements and their funding tranches."""
