"""Accounts: sign-up, login, logout, password and profile."""
