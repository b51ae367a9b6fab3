"""Seed data: the first commune's hamlets, trip schedule and procedure catalogue, and demo rows."""
