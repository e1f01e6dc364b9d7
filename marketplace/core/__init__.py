"""Shared kernel: imports no domain package."""
