"""The understanding step between storage and dialogue: what a resident's own words mean.

Keywords first (`sms.keywords`), then a TF-IDF + linear classifier trained from the corpus in
`tests/data/nlu/`, then a decision: act, ask with one key, or hand the message to a person.
"""

from sms.nlu.engine import (  # noqa: F401  (the package's public names)
    ACT,
    CONFIRM,
    HANDOVER,
    Catalogue,
    Reading,
    build_catalogue,
    understand,
)
