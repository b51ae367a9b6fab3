"""`python -m bench` (or `make bench`): run every benchmark and print one summary table.

Each benchmark module has a `main()` that prints its own table and returns a dict of figures;
the summary below flattens those dicts. A module that is not there yet is reported as missing.
"""

import importlib
import os
import platform
import sys
import time

from bench import webhooks

OPTIONAL = ["bench.outbox_bench", "bench.staff_pages_bench"]


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
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )


def main():
    """Run all benchmarks; exit non-zero only if one of them crashed."""
    print(f"Machine: {machine()}\n")
    summary = []
    failed = False
    figures = webhooks.main()
    for goal, figure, met in webhooks.verdicts(figures):
        summary.append(("webhooks", goal, figure, "met" if met else "MISSED"))
    for name in OPTIONAL:
        print()
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            summary.append((name.split(".")[-1], "(benchmark not present)", "", ""))
            continue
        try:
            result = module.main() or {}
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the rest
            failed = True
            summary.append((name.split(".")[-1], "crashed", f"{type(exc).__name__}: {exc}", ""))
            continue
        for key, value in flatten(result):
            summary.append((name.split(".")[-1], key, value, ""))
    print("\nSummary")
    width = max(len(str(row[1])) for row in summary)
    for bench_name, key, value, verdict in summary:
        print(f"  {bench_name:<18} {key:<{width}}  {value!s:>12}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
