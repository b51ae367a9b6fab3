"""The web and the worker answer residents' own words without importing numpy or scikit-learn."""

import subprocess
import sys
import textwrap

from sms.nlu import corpus

HEAVY = ("numpy", "scipy", "sklearn", "pandas", "joblib")

# Runs in a fresh interpreter, as a gunicorn worker starts: the app, then one signed SMS
# that the classifier (not a keyword) reads.
WORKER = textwrap.dedent(
    """
    import sys
    from twilio.request_validator import RequestValidator
    from app import create_app
    from db import connect, migrate
    from app.seed.loader import seed

    db_path, model_path = sys.argv[1:3]
    base = "https://hamlet.example.org"
    app = create_app({
        "TESTING": True, "DATABASE_PATH": db_path, "SECRET_KEY": "s",
        "TWILIO_AUTH_TOKEN": "token", "PUBLIC_BASE_URL": base, "NLU_MODEL_PATH": model_path,
    })
    migrate(db_path)
    with app.app_context():
        database = connect(db_path)
        seed(database)
        database.conn.close()
    # "To": the default Twilio number (LOCAL_FROM_NUMBER), owned by commune 1 (app.channels).
    params = {"MessageSid": "SM" + "1" * 32, "From": "+84912345678", "To": "+84000000000",
              "Body": "chung nao to luu dong xuong ap Phu Hoa A vay chu"}
    signature = RequestValidator("token").compute_signature(base + "/sms/twilio", params)
    reply = app.test_client().post(
        "/sms/twilio", data=params, headers={"X-Twilio-Signature": signature})
    with app.app_context():
        database = connect(db_path)
        # The webhook stored it; the worker's answering step reads it, in this process too.
        from app.ops import worker
        worker.answer_all(database)
        intent = database.execute("SELECT intent FROM messages WHERE direction = 'in'").fetchone()
        from app import communes
        from sms.nlu import runtime
        with communes.bound(communes.first_commune(database)):
            loaded = runtime.catalogue(database).model is not None
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[3:]))
    print(reply.status_code, intent[0], loaded, " ".join(heavy) or "none")
    """
)


def test_a_web_worker_reads_free_text_without_numpy_or_scikit_learn(tmp_path, nlu_model_path):
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(tmp_path / "w.db"), str(nlu_model_path), *HEAVY],
        capture_output=True,
        text=True,
        cwd=corpus.ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, intent, loaded, heavy = done.stdout.split()
    assert (status, intent, loaded) == ("200", "schedule", "True")
    # If this fails in an old venv, `make` moves the training packages to .venv/nlu-train.
    assert heavy == "none", f"imported {heavy}"
