"""Staff accounts, Open311 API keys and the audit log of admin work."""
