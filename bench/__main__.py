"""`python -m bench` (or `make bench`): run every benchmark and print one summary table.

Each benchmark module has a `main()` that prints its own table and returns a dict of figures,
and may have `verdicts(figures)`: its goals as (goal, figure, met) rows. A missed goal is
printed as MISSED; a benchmark that cannot run (it raises, or cannot be imported) is printed
as FAILED, the others still run, and the exit status is 1.
"""

import importlib
import os
import platform
import sys
import time
import traceback

BENCHMARKS = [
    "bench.webhooks",
    "bench.profile_webhooks",
    "bench.door_bench",
    "bench.lease_bench",
    "bench.outbox_bench",
    "bench.staff_pages_bench",
    "bench.communes_bench",
    "bench.nlu",
    "bench.nlu_memory",
    "bench.body_limits_bench",
]


def flatten(figures, prefix=""):
    """Yield (name, number) pairs from nested dicts and lists of row dicts."""
    if isinstance(figures, dict):
        for key, value in figures.items():
            yield from flatten(value, f"{prefix}{key}.")
    elif isinstance(figures, list) and figures and all(isinstance(v, dict) for v in figures):
        for index, row in enumerate(figures):
            label = row.get("scenario") or row.get("name") or row.get("page") or str(index)
            yield from flatten(row, f"{prefix}{label}.")
    elif isinstance(figures, int | float) and not isinstance(figures, bool):
        # Labels and other text are in each benchmark's own table; the summary keeps numbers.
        yield prefix.rstrip("."), figures


def machine():
    """One line describing where the figures were measured."""
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )


def load_average():
    """The 1, 5 and 15 minute load averages, as text."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_one(name):
    """Run benchmark NAME; return its summary rows and whether it ran."""
    short = name.split(".")[-1]
    try:
        module = importlib.import_module(name)
        figures = module.main() or {}
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the rest
        traceback.print_exc()
        return [(short, "could not run", f"{type(exc).__name__}: {exc}", "FAILED")], False
    judge = getattr(module, "verdicts", None)
    if judge is None:
        return [(short, key, value, "") for key, value in flatten(figures)], True
    return [
        (short, goal, figure, "met" if met else "MISSED") for goal, figure, met in judge(figures)
    ], True


def main(names=BENCHMARKS):
    """Run the benchmarks; exit non-zero if any of them could not run."""
    print(f"Machine: {machine()}; load average at start {load_average()}\n")
    summary, failed = [], False
    for name in names:
        print()
        rows, ran = run_one(name)
        summary += rows
        failed = failed or not ran
    print(f"\nSummary (load average at the end {load_average()})")
    width = max(len(str(row[1])) for row in summary)
    for bench_name, key, value, verdict in summary:
        print(f"  {bench_name:<18} {key:<{width}}  {value!s:>12}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
