"""Inquiries: message threads between a company and a listing's university."""
