"""Schema migrations, applied once by `flask init-db` before any worker starts.

sqlite-utils applies a set's steps in the order they were registered, so the era modules are
imported here oldest first (each is named by its first step, so sorted imports keep that
order) and no step is ever renamed or moved: a database migrated before finds every name it
recorded. A new step goes at the end of the newest era module.
"""

from db.migrations import (  # noqa: F401  (imported for the steps they register, in order)
    m0001_first_schema,
    m0003_trips_and_queue,
    m0007_catalogue_console_nlu,
    m0013_sessions_and_delivery,
    m0018_communes,
    m0030_hardening,
    m0040_nlu_places,
    m0050_voice_prompts,
    m0080_door,
    m0090_loop_cases,
    m0110_report_counters,
    m0120_phones,
    m0130_message_parts,
    m0150_voice_menus,
)
from db.migrations.registry import migrations  # noqa: F401  (the set db.migrate applies)
