"""Request and response schemas of the incubator (allow-lists), by area."""
