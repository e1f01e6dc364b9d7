"""The embedded Whoosh backend (``SEARCH_BACKEND=whoosh``)."""

from marketplace.search.backends.whoosh.backend import WhooshBackend
from marketplace.search.backends.whoosh.queries import filter_queries, text_query
from marketplace.search.backends.whoosh.schema import make_schema, to_fields

__all__ = ["WhooshBackend", "filter_queries", "make_schema", "text_query", "to_fields"]
