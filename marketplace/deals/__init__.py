"""Deals: inquiries, NDAs and confidential details, offers and counter-offers, sponsored research."""
