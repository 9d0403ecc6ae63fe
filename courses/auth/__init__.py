"""Accounts: sign-up, log-in, log-out, password change."""
