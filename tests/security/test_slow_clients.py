"""Idle, trickling and half-sent sockets must not stop the service.

The real gunicorn, started the way every deployment starts it (gunicorn.conf.py), faces 50
connections that send nothing and 10 that send one header byte every 5 s, reconnecting
whenever the server closes one, for 30 s. /healthz must answer every probe within 1 s.
"""

import time

from bench.harness import Service
from bench.slow_clients import SlowClients, probe_health, summary

ATTACK_SECONDS = 30


def test_health_answers_every_probe_within_a_second_while_sixty_slow_clients_hang(tmp_path):
    with (
        Service(tmp_path / "service") as service,
        SlowClients("127.0.0.1", service.port, idle=50, trickle=10, interval=5.0) as attack,
    ):
        # Let every slow socket connect and the first trickled bytes arrive.
        time.sleep(2)
        results = probe_health("127.0.0.1", service.port, seconds=ATTACK_SECONDS, period=0.5)
    assert attack.connects >= 60
    assert attack.bytes_sent >= 10
    outcome = summary(results)
    assert outcome["probes"] >= 30
    late = [round(elapsed, 2) for status, elapsed in results if status != 200]
    assert late == [], f"{len(late)} of {outcome['probes']} probes failed or took over 1 s"


def test_slow_headers_slow_bodies_and_idle_kept_alive_sockets_cost_no_thread(tmp_path):
    from bench.slow_clients import ATTACK, probe_sms, raise_file_limit

    raise_file_limit()
    with (
        Service(tmp_path / "service", TWILIO_FROM_NUMBER="+84287300000") as service,
        SlowClients("127.0.0.1", service.port, **ATTACK, interval=5.0) as attack,
    ):
        time.sleep(3)
        health = probe_health("127.0.0.1", service.port, seconds=0, count=20, period=0.25)
        sms = probe_sms("127.0.0.1", service.port, count=20, period=0.25)
    assert attack.connects >= 1000
    for name, results in (("/healthz", health), ("signed SMS", sms)):
        late = [round(elapsed, 2) for status, elapsed in results if status != 200]
        assert late == [], f"{name}: {len(late)} of {len(results)} probes failed or took over 1 s"
