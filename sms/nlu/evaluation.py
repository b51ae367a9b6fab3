"""Scoring the understanding step against labelled messages (the benchmark and tuning)."""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sms.nlu.engine import ACT, understand


@dataclass
class Result:
    """What one labelled message was read as."""

    example: object
    reading: object
    seconds: float

    @property
    def predicted(self):
        return self.reading.acted_intent

    @property
    def correct(self):
        return self.predicted == self.example.intent


@dataclass
class Report:
    """Totals over a split."""

    results: list = field(default_factory=list)

    def accuracy(self, family=None):
        chosen = [r for r in self.results if family is None or r.example.family == family]
        return sum(r.correct for r in chosen) / len(chosen) if chosen else None, len(chosen)

    def families(self):
        return sorted({r.example.family for r in self.results})

    def confusion(self):
        """Counts of (labelled family, acted family)."""
        return Counter((r.example.family, r.predicted.split(":", 1)[0]) for r in self.results)

    def confident_wrong_on_questions(self):
        """Share of messages labelled "question" on which the service acted otherwise."""
        questions = [r for r in self.results if r.example.intent == "question"]
        wrong = [r for r in questions if r.reading.decision == ACT and r.predicted != "question"]
        return len(wrong) / len(questions) if questions else 0.0, len(wrong), len(questions)

    def confident_wrong(self):
        """Messages acted on (not asked, not handed over) with the wrong intent."""
        wrong = [r for r in self.results if r.reading.decision == ACT and not r.correct]
        return len(wrong), len(self.results)

    def handover_in_scope(self):
        """(handed over, in scope): messages labelled other than question given to a person."""
        in_scope = [r for r in self.results if r.example.intent != "question"]
        handed = [r for r in in_scope if r.reading.decision == "handover"]
        return len(handed), len(in_scope)

    def decisions(self):
        return Counter(r.reading.decision for r in self.results)

    def entity_accuracy(self, name):
        """Accuracy of one entity: over all messages, and over those that name one."""
        pairs = [(getattr(r.example, name), getattr(r.reading, name)) for r in self.results]
        overall = sum(a == b for a, b in pairs) / len(pairs)
        named = [(a, b) for a, b in pairs if a]
        recall = sum(a == b for a, b in named) / len(named) if named else None
        wrongly = sum(1 for a, b in pairs if b and a != b)
        return overall, recall, len(named), wrongly

    def urgency_table(self):
        return Counter((r.example.urgency or "-", r.reading.urgency or "-") for r in self.results)

    def timings(self):
        times = sorted(r.seconds for r in self.results)

        def pick(q):
            return times[min(len(times) - 1, int(q * len(times)))]

        return pick(0.5), pick(0.99), times[-1]


def evaluate(examples, catalogue, repeat=1):
    """Read every example with CATALOGUE; time each reading (best of REPEAT runs)."""
    report = Report()
    for example in examples:
        best = None
        for _ in range(repeat):
            start = time.perf_counter()
            reading = understand(example.text, catalogue)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        report.results.append(Result(example, reading, best))
    return report


def by_family(report):
    """Per-family accuracy rows: (family, accuracy, count)."""
    rows = defaultdict(list)
    for result in report.results:
        rows[result.example.family].append(result.correct)
    return [(family, sum(v) / len(v), len(v)) for family, v in sorted(rows.items())]
