"""The request queue: open, move and close requests, and what hangs off a request."""
