"""The understanding step on residents' own words: keywords, free text, entities, decisions."""

import pytest

from sms.nlu import engine, entities, text
from sms.nlu.engine import ACT, CONFIRM, HANDOVER, understand
from sms.nlu.model import Model, Scores


@pytest.fixture(scope="module")
def catalogue(nlu_model_path):
    catalogue = engine.training_catalogue()
    catalogue.model = Model.load(nlu_model_path)
    return catalogue


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("HEN Phu Hoa A can lam can cuoc", "visit"),
        ("HUY", "cancel"),
        ("LICH Tan Phu", "schedule"),
        ("XEM", "status"),
        ("HD", "guidance"),
        ("KHAI SINH", "guidance:KHAISINH"),
        ("TUCHOI", "opt_out"),
        ("BATDAU", "opt_in"),
        ("?", "help"),
        ("ENGLISH", "language:en"),
        ("3", "menu_reply"),
    ],
)
def test_the_readme_keywords_still_decide_on_their_own(catalogue, message, intent):
    reading = understand(message, catalogue)
    assert (reading.intent, reading.decision, reading.how) == (intent, ACT, "keyword")


@pytest.mark.parametrize(
    ("message", "intent", "procedure"),
    [
        ("tui gia roi di hong noi, nho may chu toi nha giup", "visit", None),
        ("xin to luu dong ghe nha toi", "visit", None),
        ("bao gio can bo xuong ap", "schedule", None),
        ("chung nao to xuong", "schedule", None),
        ("thoi khoi den, toi len xa roi", "cancel", None),
        ("dung gui tin", "opt_out", None),
        ("nho can bo ghe nha lam vneid cho ma toi", "visit", "VNEID"),
        ("den nha lam can cuoc cho ba toi", "visit", "CANCUOC"),
    ],
)
def test_the_everyday_words_of_issue_19_are_understood(catalogue, message, intent, procedure):
    reading = understand(message, catalogue)
    assert (reading.acted_intent, reading.procedure) == (intent, procedure)
    assert reading.decision == ACT


def test_a_question_about_when_the_team_comes_is_not_a_visit_request(catalogue):
    reading = understand("to luu dong chung nao xuong ap vay", catalogue)
    assert reading.intent == "schedule"


@pytest.mark.parametrize(
    ("message", "hamlet"),
    [
        ("hen phu hao a", "PHUHOAA"),  # letters swapped
        ("Long Hâu, xin can bo den nha", "LONGHAU"),
        ("xin den nha phuthuan b", "PHUTHUANB"),  # no space
        ("hen  phu  loi", "PHULOI"),  # doubled spaces
        ("den nha o tan phuu", "TANPHU"),  # a letter doubled
        ("hen Phu Hoa", None),  # the suffix is missing
        ("hen Phu Hoa C", None),  # no such hamlet
        ("Long Hoa 2 co to luu dong ko", None),  # the suffix must match exactly
        ("toi o huyen Phu Tan", None),  # the old district, one letter from Phú Tây
        ("toi o xa Phu Long cu", None),  # the old commune, one letter from Phú Đông
        ("lich long hoa1", "LONGHOA1"),
    ],
)
def test_hamlets_are_found_with_typos_but_suffixes_match_exactly(catalogue, message, hamlet):
    assert understand(message, catalogue).hamlet == hamlet


@pytest.mark.parametrize(
    ("message", "procedure"),
    [
        ("khai sinhf", "KHAISINH"),  # telex leftover
        ("tamtru", "TAMTRU"),  # no space
        ("lam cccd", "CANCUOC"),
        ("xin ban sao giay khai sinh", "TRICHLUC"),
        ("sổ đỏ", "SANGTEN"),
        ("tro cap nguoi cao tuoi lam o dau", "HUUTRI"),
    ],
)
def test_procedures_are_found_in_residents_words(catalogue, message, procedure):
    assert understand(message, catalogue).procedure == procedure


def test_chat_shorthand_is_spelled_out():
    assert text.words("ko dc j ntn bn vs") == [
        "KHONG",
        "DUOC",
        "GI",
        "NHU",
        "THE",
        "NAO",
        "BAO",
        "NHIEU",
        "VOI",
    ]
    assert text.words("DK HEN") == ["DK", "HEN"]  # the carrier habit stays
    assert text.words("sinhf", known=frozenset({"SINH"})) == ["SINH"]


@pytest.mark.parametrize(
    ("message", "urgency"),
    [
        ("cap cuu, ong toi te nga", "emergency"),
        ("nha toi dang chay", "emergency"),
        ("toi o mot minh, khong di duoc", "distress"),
        ("gấp lắm cô ơi", "distress"),
        ("xin gặp cán bộ", None),  # gặp (meet), not gấp (urgent)
        ("xin gap can bo", None),
        ("hen phu loi", None),
    ],
)
def test_emergencies_and_pleas_are_recognised(catalogue, message, urgency):
    reading = understand(message, catalogue)
    assert reading.urgency == urgency
    assert reading.needs_person is (urgency is not None)


def test_a_long_message_always_needs_a_person(catalogue):
    story = "Chao can bo, toi nam nay 80 tuoi, con cai di lam xa het. " * 3 + "Xin den nha."
    assert len(story) > 160
    assert understand(story, catalogue).needs_person


def test_emoji_only_goes_to_a_person_and_an_empty_body_is_empty(catalogue):
    assert understand("🙏🙏", catalogue).decision == HANDOVER
    assert understand("   ", catalogue).intent == "empty"


def test_a_reference_code_is_read_in_digits_or_old_letters(catalogue):
    assert understand("xem 48213", catalogue).reference == "48213"
    assert understand("HUY K4C7A", catalogue).reference == "K4C7A"
    assert entities.reference(["TOI", "O", "AP"]) is None


class FixedModel:
    """A classifier that always answers the same probabilities (to test the decisions)."""

    known = frozenset()

    def __init__(self, **intents):
        self.intents = sorted(intents.items(), key=lambda item: -item[1])

    def score(self, tokens):
        return Scores(self.intents, {"-": 1.0})


def _with(model):
    catalogue = engine.training_catalogue()
    catalogue.model = model
    return catalogue


def test_a_sure_reading_acts():
    reading = understand("muon can bo ghe choi", _with(FixedModel(visit=0.9, question=0.1)))
    assert (reading.intent, reading.decision) == ("visit", ACT)


def test_a_likely_visit_or_cancellation_is_asked_about_with_one_key():
    reading = understand("muon can bo ghe choi", _with(FixedModel(visit=0.4, question=0.35)))
    assert (reading.intent, reading.decision) == ("visit", CONFIRM)
    reading = understand("thoi de sau", _with(FixedModel(cancel=0.4, question=0.35)))
    assert (reading.intent, reading.decision) == ("cancel", CONFIRM)


def test_an_unsure_reading_goes_to_a_person_with_the_two_likeliest_keywords():
    model = FixedModel(schedule=0.3, status=0.25, question=0.2, visit=0.25)
    reading = understand("chuyen nay sao ta", _with(model))
    assert reading.decision == HANDOVER
    assert reading.acted_intent == "question"
    assert reading.suggestions == ["LICH", "XEM"]


def test_an_unsure_opt_out_is_never_acted_on():
    reading = understand("thoi nghen", _with(FixedModel(opt_out=0.55, question=0.45)))
    assert reading.decision == HANDOVER


def test_without_a_model_keywords_work_and_free_text_goes_to_a_person():
    catalogue = _with(None)
    assert understand("HEN Phu Loi", catalogue).intent == "visit"
    reading = understand("bua nao to xuong ap", catalogue)
    assert reading.decision == HANDOVER


def test_huy_followed_by_a_sentence_is_read_as_a_sentence(catalogue):
    assert understand("huy nhan tin", catalogue).acted_intent == "opt_out"
    assert understand("HUY 12345", catalogue).intent == "cancel"
    assert understand("HUY HEN", catalogue).intent == "cancel"


def test_a_keyword_before_a_sentence_the_model_reads_otherwise_is_free_text():
    # DANGKY starts the message, but the model is sure it asks after a booking.
    model = FixedModel(status=0.9, visit=0.05, question=0.05)
    reading = understand("dang ky tu hom truoc ma chua ai lien lac", _with(model))
    assert (reading.intent, reading.how) == ("status", "model")
    # The same keyword with a hamlet after it is a command the model never overrules.
    reading = understand("HEN Phu Loi", _with(model))
    assert (reading.intent, reading.how) == ("visit", "keyword")


def test_a_keyword_the_model_also_reads_is_acted_on():
    reading = understand("HEN can lam can cuoc", _with(FixedModel(visit=0.5, question=0.5)))
    assert (reading.intent, reading.how, reading.decision) == ("visit", "keyword", ACT)


@pytest.mark.parametrize(
    "message",
    ["hen cua toi la ngay nao", "hen da dc xep chua", "lich hen cua toi"],
)
def test_asking_after_ones_own_booking_is_status(catalogue, message):
    assert understand(message, catalogue).acted_intent == "status"


def test_free_text_read_as_a_visit_must_name_a_way_of_coming():
    model = FixedModel(visit=0.95, question=0.05)
    assert understand("tui o long hau nghen", _with(model)).decision == HANDOVER
    assert understand("nho can bo ghe choi", _with(model)).acted_intent == "visit"


def test_help_because_the_line_is_hard_to_use_is_help_not_a_plea(catalogue):
    reading = understand("tro giup toi voi, toi ko biet xai", catalogue)
    assert (reading.acted_intent, reading.decision) == ("help", ACT)
    assert understand("giup toi voi", catalogue).decision == HANDOVER


@pytest.mark.parametrize(
    "message",
    ["giay ket hon bi mat", "cap lai giay khai sinh", "lost my birth certificate"],
)
def test_a_lost_or_reissued_record_is_the_copy_of_record(catalogue, message):
    assert understand(message, catalogue).acted_intent == "guidance:TRICHLUC"


@pytest.mark.parametrize(
    "message",
    ["giay khai sinh bi sai ten", "quen mat khau vneid", "thu tuc chuyen truong cho con"],
)
def test_guidance_words_in_a_case_the_catalogue_does_not_answer_go_to_a_person(catalogue, message):
    assert understand(message, catalogue).decision == HANDOVER


def test_a_procedure_no_word_names_is_never_sent_on_a_guess():
    class GuessingModel(FixedModel):
        def score(self, tokens):
            return Scores(self.intents, {"HUUTRI": 0.9, "-": 0.1})

    catalogue = _with(GuessingModel(guidance=0.9, question=0.1))
    assert understand("lua ban cung duoc gia", catalogue).decision == HANDOVER
    reading = understand("tien gia lanh o dau", catalogue)
    assert (reading.intent, reading.decision) == ("guidance:HUUTRI", ACT)


def test_cccd_is_the_id_card(catalogue):
    assert understand("lam the cccd can mang gi", catalogue).procedure == "CANCUOC"


def test_hoi_truoc_is_formerly_not_the_question_keyword(catalogue):
    reading = understand("hoi truoc lo nhan tu choi, gio muon nhan tin lai", catalogue)
    assert reading.how != "keyword"


@pytest.mark.parametrize("message", ["what do I type", "chi toi cach nhan tin voi"])
def test_asking_how_to_use_the_line_is_help_even_when_the_model_is_unsure(message):
    reading = understand(message, _with(FixedModel(question=0.6, help=0.4)))
    assert (reading.intent, reading.decision) == ("help", ACT)


@pytest.mark.parametrize(
    "message",
    ["xoa lich hen den nha", "bo lich hen gium toi", "ko can ghe nha nua nha", "do not come"],
)
def test_a_visit_that_is_also_called_off_goes_to_a_person(message):
    catalogue = _with(FixedModel(visit=0.95, question=0.05))
    reading = understand(message + " nha toi", catalogue)
    assert (reading.intent, reading.decision) == ("question", HANDOVER)


def test_cannot_come_to_the_office_is_still_a_visit():
    catalogue = _with(FixedModel(visit=0.95, question=0.05))
    reading = understand("toi khong den xa duoc, nho can bo ghe nha", catalogue)
    assert (reading.intent, reading.decision) == ("visit", ACT)


@pytest.mark.parametrize(
    ("intent", "question", "decision"),
    [
        ("visit", 0.29, ACT),
        ("visit", 0.31, CONFIRM),  # likely, not sure: asked with one key
        ("schedule", 0.09, ACT),
        ("schedule", 0.11, HANDOVER),
        ("status", 0.35, ACT),
    ],
)
def test_a_visit_or_the_teams_dates_are_not_acted_on_when_a_question_is_likely(
    intent, question, decision
):
    catalogue = _with(FixedModel(**{intent: 1.0 - question, "question": question}))
    text = {"visit": "xin can bo ghe nha", "schedule": "to luu dong chung nao xuong"}
    reading = understand(text.get(intent, "hen cua toi sao roi"), catalogue)
    assert reading.decision == decision


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("cac loai giay to", True),
        ("cho e xin ds cac thu tuc", True),
        ("danh sach thutuc", True),
        ("xa lam duoc nhung giay to gi", True),
        ("giay to", False),
        ("giay to cua toi bi mat", False),
    ],
)
def test_asking_for_the_kinds_of_papers_is_asking_for_the_list(message, asks):
    from sms.nlu.asking import asks_for_the_list

    assert asks_for_the_list(engine.read_tokens(message)[1]) is asks


class LetterModel(FixedModel):
    """Reads family news about medicine as guidance (a misreading), a letter as a question."""

    def best_intents(self, documents):
        def best(tokens):
            if "THUOC" in tokens:
                return ("guidance", 0.95)
            return ("guidance", 0.90) if "KHAI" in tokens else ("question", 0.9)

        return [best(tokens) for tokens in documents]

    def score(self, tokens):
        sure = "KHAI" in tokens and len(tokens) < 20
        return Scores(
            [("guidance", 0.9), ("question", 0.1)]
            if sure
            else [("question", 0.9), ("guidance", 0.1)],
            {"KHAISINH": 0.9, "-": 0.1},
        )


def test_a_letter_is_acted_on_through_the_next_clause_when_the_surest_asks_nothing():
    letter = (
        "Chao can bo, toi la nguoi trong ap, nha o cuoi xom gan cay cau. Con chau di lam xa het. "
        "Uong thuoc roi cung do nhieu lam. Xin huong dan lam giay khai sinh cho chau noi moi sinh"
    )
    reading = understand(letter, _with(LetterModel()))
    assert (reading.intent, reading.decision) == ("guidance:KHAISINH", ACT)
    assert "khai sinh" in reading.clause and reading.needs_person


def test_the_clauses_asking_are_ranked_surest_first_in_reading_order_on_ties():
    from sms.nlu import clauses

    def score(found):
        return [("visit", 0.8), ("question", 0.99), ("status", 0.9), ("cancel", 0.8)]

    letter = "Nha toi o cuoi xom nhe. Mua nay lua tot lam. Hen cua toi sao roi. Huy cai hen cu di"
    ranked = clauses.asking_clauses(letter, score)
    assert [intent for _clause, intent, _p in ranked] == ["status", "visit", "cancel"]
