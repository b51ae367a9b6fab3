"""`python -m bench.nlu_memory`: web worker memory with the message classifier loaded.

Three gunicorn services run one after the other with the shipped settings (gunicorn.conf.py,
2 workers), each on a temporary database; each worker's RSS is read from /proc after one
health check, then after 300 signed SMS of residents' own words from the dev split:
- the baseline, a bare Flask app answering every SMS with a constant (bench.baseline_app);
- the service as shipped: the classifier loaded in every worker that answered, numpy not
  importable (its training packages are apart, sms/nlu/packages.py);
- the same service with the training packages on PYTHONPATH, as every worker was before:
  sqlite-utils then imports numpy at start, which shows what keeping it apart saves.
Goal: under 80 MB a worker, as shipped.
"""

import os
import tempfile
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

from bench.harness import AUTH_TOKEN, Service
from sms.nlu import corpus
from sms.nlu.packages import TRAINING_PACKAGES

MESSAGES = int(os.environ.get("NLU_MEMORY_MESSAGES", "300"))
GOAL_MB = 80.0
RUNS = [
    ("baseline", "baseline: bare Flask app, constant TwiML", "bench.baseline_app:app", {}),
    ("shipped", "service as shipped (numpy not importable)", "wsgi:app", {}),
    (
        "numpy",
        "service with numpy importable (as before)",
        "wsgi:app",
        {"PYTHONPATH": str(TRAINING_PACKAGES)},
    ),
]


def _post_sms(service, index, body):
    url = f"{service.base_url}/sms/twilio"
    # "To": the harness's TWILIO_FROM_NUMBER, owned by commune 1 (webhooks route by it).
    params = {
        "MessageSid": f"SM{index:032d}",
        "From": f"+8491{index:07d}",
        "To": "+84287300000",
        "Body": body,
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def measure(app, texts, **env):
    """Start APP under gunicorn; return its workers' RSS (MB) before and after the SMS."""
    with tempfile.TemporaryDirectory() as tmp, Service(tmp, app=app, workers=2, **env) as service:
        with urllib.request.urlopen(service.base_url + "/healthz", timeout=30) as response:
            response.read()
        before = service.worker_rss_mb()
        for index in range(MESSAGES):
            _post_sms(service, index, texts[index % len(texts)])
        return before, service.worker_rss_mb()


def main():
    """Measure the three services; print them side by side; return the figures."""
    texts = [example.text for example in corpus.read(corpus.DEV)]
    figures, rows = {}, []
    for key, label, app, env in RUNS:
        before, after = measure(app, texts, **env)
        figures[f"{key}_worker_rss_before_mb"] = max(before)
        figures[f"{key}_worker_rss_after_mb"] = max(after)
        rows.append((label, before, after))
    print("NLU memory: gunicorn workers as shipped (2), RSS from /proc/PID/status, MB per worker")
    width = max(len(label) for label, _before, _after in rows)
    print(f"  {'run'.ljust(width)} | after /healthz | after {MESSAGES} SMS")
    for label, before, after in rows:
        print(
            f"  {label.ljust(width)} | {', '.join(f'{mb:.1f}' for mb in before):<14} | "
            f"{', '.join(f'{mb:.1f}' for mb in after)}"
        )
    worst = figures["shipped_worker_rss_after_mb"]
    print(f"  worst shipped worker {worst:.1f} MB (goal < {GOAL_MB:.0f} MB)")
    # The figure the goal is judged on, under the name the summary used before.
    figures["worker_rss_after_mb"] = worst
    return figures


def verdicts(figures):
    """Yield (goal, figure, met) for the memory goal."""
    after = figures["worker_rss_after_mb"]
    baseline = figures["baseline_worker_rss_after_mb"]
    yield (
        "worker RSS with the classifier < 80 MB",
        f"{after:.1f} MB (baseline {baseline:.1f})",
        after < GOAL_MB,
    )


if __name__ == "__main__":
    main()
