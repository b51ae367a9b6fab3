"""Migrations 0050-0059: recordings of the voice prompts, and the prompt texts a commune edits."""

from db.migrations.registry import migrations


@migrations(name="0050_voice_prompts")
def voice_prompts(db):
    """A recording per prompt, language and commune, tied to the text it was made for.

    commune_id NULL is the province's recording, which every commune without its own plays.
    A row is 'pending' from the upload until the worker has converted it, then 'ready', or
    'refused' with the reason shown to the officer. token names one file version in its URL.
    """
    db["prompt_recordings"].create(
        {
            "id": int,
            "commune_id": int,
            "prompt": str,
            "language": str,
            "text": str,
            "text_hash": str,
            "token": str,
            "status": str,
            "raw_path": str,
            "path": str,
            "mimetype": str,
            "duration_ms": int,
            "bytes": int,
            "placeholder": int,
            "error": str,
            "created_by": str,
            "created_at": str,
        },
        pk="id",
        not_null={"prompt", "language", "text_hash", "token", "status", "created_at"},
        defaults={"placeholder": 0, "status": "pending"},
    )
    db["prompt_recordings"].create_index(["token"], unique=True)
    db["prompt_recordings"].create_index(["commune_id", "prompt", "language", "status"])
    db["prompt_recordings"].create_index(["status"])
    db["prompt_texts"].create(
        {
            "commune_id": int,
            "prompt": str,
            "language": str,
            "text": str,
            "updated_by": str,
            "updated_at": str,
        },
        pk=("commune_id", "prompt", "language"),
        not_null={"commune_id", "prompt", "language", "text"},
    )
