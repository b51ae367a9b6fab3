"""`make bench` fails when a benchmark cannot run, and wrk replays each signed request once."""

import sys
import types

import pytest

from bench import __main__ as bench_main
from bench import loadgen, wrk
from bench.harness import Service


def fake_benchmark(monkeypatch, name, main, verdicts=None):
    """Install a benchmark module NAME whose main() is MAIN."""
    module = types.ModuleType(name)
    module.main = main
    if verdicts:
        module.verdicts = verdicts
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_a_benchmark_that_raises_fails_the_run_and_the_others_still_run(monkeypatch, capsys):
    def broken():
        raise RuntimeError("voice scenario could not start")

    ran = []
    names = [
        fake_benchmark(monkeypatch, "fake_broken_bench", broken),
        fake_benchmark(monkeypatch, "fake_fine_bench", lambda: ran.append(1) or {"rps": 10}),
    ]

    assert bench_main.main(names) == 1

    out = capsys.readouterr().out
    assert "FAILED" in out and "voice scenario could not start" in out
    assert ran == [1]


def test_a_benchmark_that_is_missing_fails_the_run(capsys):
    assert bench_main.main(["bench.no_such_benchmark"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_a_missed_goal_is_printed_but_does_not_fail_the_run(monkeypatch, capsys):
    name = fake_benchmark(
        monkeypatch,
        "fake_slow_bench",
        lambda: {"ratio": 0.2},
        verdicts=lambda figures: [("throughput >= 0.5x baseline", figures["ratio"], False)],
    )

    assert bench_main.main([name]) == 0

    summary = capsys.readouterr().out.split("Summary")[1]
    assert "throughput >= 0.5x baseline" in summary and "MISSED" in summary


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The bare Flask baseline under gunicorn, as the webhook benchmark runs it."""
    wrk.require_wrk()
    folder = tmp_path_factory.mktemp("baseline")
    with Service(folder, app="bench.baseline_app:app", workers=1, prepare=False) as service:
        yield service


def signed_texts(service, count):
    """COUNT kept-alive signed SMS webhooks to SERVICE."""
    return [
        loadgen.signed_form(
            service.base_url,
            "/sms/twilio",
            loadgen.sms_params(loadgen.message_sid(n, "w"), loadgen.mobile_number(n), "HEN"),
            keep_alive=True,
        )
        for n in range(count)
    ]


def test_wrk_replays_the_signed_requests_on_kept_alive_connections(baseline):
    result = wrk.run(
        baseline.port,
        wrk.split(signed_texts(baseline, 200)),
        connections=4,
        seconds=1,
        allow_repeats=True,
    )

    assert result.requests > 0 and result.errors == 0
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms


def test_wrk_refuses_a_run_that_would_send_a_message_twice(baseline):
    with pytest.raises(wrk.WrkError, match="build more"):
        wrk.run(baseline.port, wrk.split(signed_texts(baseline, 4)), connections=2, seconds=1)
