"""Fixtures for the security tests: `store` (tests/conftest.py) leaves requests apart."""
