"""Fixtures for the reliability suite: real gunicorn servers on loopback with temp databases."""

import pytest

from bench.harness import Service


@pytest.fixture
def start_service(tmp_path):
    """Start a Service (gunicorn on a free 127.0.0.1 port); every one is stopped at teardown."""
    services = []

    def start(name="service", **options):
        service = Service(tmp_path / name, **options)
        services.append(service)
        return service.start()

    yield start
    for service in services:
        service.stop()
