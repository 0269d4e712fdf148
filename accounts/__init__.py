"""The online account: User (login by NIR), login, security, profile contact data."""
