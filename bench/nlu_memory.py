"""`python -m bench.nlu_memory`: web worker memory with the message classifier loaded.

The service runs as shipped (gunicorn.conf.py, 2 workers) on a temporary database; each
worker's RSS is read from /proc after one health check (the classifier not loaded yet), then
after 300 signed SMS of residents' own words from the dev split (the classifier loaded in
every worker that answered one, its caches warm). Goal: under 80 MB a worker.
"""

import os
import tempfile
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

from bench.harness import AUTH_TOKEN, Service
from sms.nlu import corpus

MESSAGES = int(os.environ.get("NLU_MEMORY_MESSAGES", "300"))
GOAL_MB = 80.0


def _post_sms(service, index, body):
    url = f"{service.base_url}/sms/twilio"
    params = {"MessageSid": f"SM{index:032d}", "From": f"+8491{index:07d}", "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main():
    """Start the service, measure its workers before and after SMS; return the figures."""
    texts = [example.text for example in corpus.read(corpus.DEV)]
    with tempfile.TemporaryDirectory() as tmp, Service(tmp, workers=2) as service:
        with urllib.request.urlopen(service.base_url + "/healthz", timeout=30) as response:
            response.read()
        before = service.worker_rss_mb()
        for index in range(MESSAGES):
            _post_sms(service, index, texts[index % len(texts)])
        after = service.worker_rss_mb()
    worst = max(after)
    print("NLU memory: gunicorn workers as shipped, RSS from /proc/PID/status")
    print(f"  before any SMS (no classifier loaded): {', '.join(f'{mb:.1f}' for mb in before)} MB")
    print(
        f"  after {MESSAGES} SMS (classifier loaded): {', '.join(f'{mb:.1f}' for mb in after)} MB"
    )
    figures = {"worker_rss_before_mb": max(before), "worker_rss_after_mb": worst}
    print(f"  worst worker {worst:.1f} MB (goal < {GOAL_MB:.0f} MB)")
    return figures


def verdicts(figures):
    """Yield (goal, figure, met) for the memory goal."""
    after = figures["worker_rss_after_mb"]
    yield ("worker RSS with the classifier < 80 MB", f"{after:.1f} MB", after < GOAL_MB)


if __name__ == "__main__":
    main()
