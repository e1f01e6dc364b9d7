"""Demo incubator data (``flask seed-demo``): filled in below."""


def seed_incubator(session) -> None:
    return None
