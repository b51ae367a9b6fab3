"""The labelled corpus: reading and writing its TSV lines (tests/data/nlu/README.md)."""

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "tests" / "data" / "nlu"
DEV = CORPUS_DIR / "dev.tsv"
HELDOUT = CORPUS_DIR / "heldout.tsv"
# The second held-out split (issue 26): new styles, written before the engine read them.
HELDOUT2 = CORPUS_DIR / "heldout2.tsv"
COLUMNS = ("intent", "hamlet", "procedure", "urgency", "text")
NONE = "-"


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    intent: str  # as labelled: "visit", "guidance:KHAISINH", "language:en", ...
    hamlet: str | None
    procedure: str | None
    urgency: str | None
    text: str

    @property
    def family(self):
        """The intent without its detail: "guidance:KHAISINH" → "guidance"."""
        return self.intent.split(":", 1)[0]


def _value(field):
    return None if field == NONE else field


def read(path):
    """Return the Examples of one corpus file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"{path}: the first line must be the header {COLUMNS}")
    examples = []
    for line in lines[1:]:
        if not line:
            continue
        intent, hamlet, procedure, urgency, text = line.split("\t", 4)
        examples.append(Example(intent, _value(hamlet), _value(procedure), _value(urgency), text))
    return examples


def line(example):
    """Render an Example as one TSV line (tabs and line breaks in the text become spaces)."""
    text = " ".join(example.text.replace("\t", " ").splitlines())
    fields = [example.intent, example.hamlet, example.procedure, example.urgency]
    return "\t".join([*(field or NONE for field in fields), text])


def header():
    """The header line of a corpus file."""
    return "\t".join(COLUMNS)
