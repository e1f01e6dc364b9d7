"""License agreements on IP assets: terms, conflict checks, activation and availability."""
