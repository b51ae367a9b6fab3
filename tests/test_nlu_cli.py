"""`flask nlu train` and `flask nlu export`, and training the model at first start."""

from app.request_queue import corrections
from db import first
from sms.nlu import corpus, runtime
from sms.nlu.augment import augment
from sms.nlu.model import Model


def _inbound(db, body):
    db.conn.execute(
        "INSERT INTO messages (direction, phone, body, provider, status, created_at)"
        " VALUES ('in', '+84912000999', ?, 'twilio', 'received', '2027-03-01T03:00:00Z')",
        [body],
    )
    return first(db, "SELECT * FROM messages ORDER BY id DESC LIMIT 1")


def test_train_writes_the_model_with_the_staff_corrections(app, runner, db, tmp_path):
    app.config["NLU_MODEL_PATH"] = str(tmp_path / "model.json")
    message = _inbound(db, "ba con nho xa ghe nha coi giay to dum")
    corrections.record(db, message, intent="visit", hamlet="PHULOI", actor="lan")
    db.conn.commit()
    dev = corpus.read(corpus.DEV)
    made = len(augment(dev))

    result = runner.invoke(args=["nlu", "train"])

    assert result.exit_code == 0, result.output
    total = len(dev) + made + 1
    assert f"Trained on {total} messages ({len(dev)} of the dev split, {made} made" in (
        result.output
    )
    assert "1 staff corrections" in result.output
    model = Model.load(tmp_path / "model.json")
    assert model.trained_on == f"{total} messages"


def test_train_bumps_the_catalogue_so_every_worker_reloads(app, runner, db, tmp_path):
    app.config["NLU_MODEL_PATH"] = str(tmp_path / "model.json")
    before = db.conn.execute("SELECT version FROM catalog_version").fetchone()[0]
    assert runner.invoke(args=["nlu", "train"]).exit_code == 0
    after = db.conn.execute("SELECT version FROM catalog_version").fetchone()[0]
    assert after != before


def test_train_if_missing_keeps_an_existing_model(app, runner, nlu_model_path):
    stamp = nlu_model_path.stat().st_mtime_ns
    result = runner.invoke(args=["nlu", "train", "--if-missing"])
    assert result.exit_code == 0 and "present" in result.output
    assert nlu_model_path.stat().st_mtime_ns == stamp


def test_export_writes_corrections_as_corpus_lines(app, runner, db, tmp_path):
    message = _inbound(db, "cho hỏi\tlịch tổ\nlưu động")
    corrections.record(db, message, intent="schedule", hamlet="TANPHU", actor="lan")
    db.conn.commit()
    out = tmp_path / "corrections.tsv"

    result = runner.invoke(args=["nlu", "export", str(out)])

    assert result.exit_code == 0, result.output
    assert corpus.read(out) == [
        corpus.Example("schedule", "TANPHU", None, None, "cho hỏi lịch tổ lưu động")
    ]
    printed = runner.invoke(args=["nlu", "export"]).output.splitlines()
    assert printed[0] == corpus.header() and printed[1].startswith("schedule\tTANPHU\t-\t-\t")


def test_a_second_correction_of_a_message_replaces_the_first(app, db):
    message = _inbound(db, "thoi khoi nghen")
    corrections.record(db, message, intent="visit", actor="lan")
    corrections.record(db, message, intent="cancel", actor="lan")
    assert [row["intent"] for row in corrections.labelled(db)] == ["cancel"]


def test_the_model_is_trained_at_first_start_when_missing(app, tmp_path):
    app.config["NLU_MODEL_PATH"] = str(tmp_path / "first" / "nlu-model.json")
    path = runtime.ensure_model(app)
    assert path.exists()
    assert "KHAISINH" in Model.load(path).procedures
