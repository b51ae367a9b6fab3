"""Outbound delivery: the outbox, its attempts, the SMS log and the transports."""
