"""Organizations, users, memberships, invitations, API tokens and authentication."""
