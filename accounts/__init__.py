"""Customer accounts: the accounts, their users and roles, API keys, status and fees."""
