"""Search over published listings: the SearchBackend protocol with its whoosh and postgres
backends, index sync from the outbox, saved searches and their alerts."""
