"""Deterministic augmentation of the dev split: the ways residents write that it has too few of.

From each dev message it makes, with a seeded generator (the same corpus and seed give the
same lines, so training is reproducible): the text without accents, with teencode, with
typos (a doubled last letter, two words run together), with English words of grandchildren,
and short requests embedded in long letters made from a bank of family-news sentences.
Only the dev split is ever augmented; the held-out splits are never read here.
"""

import random

from app.language.texts import strip_diacritics
from sms.nlu.corpus import Example

SEED = 2026
# Which labels may be embedded in a letter: their meaning survives the family news.
LETTER_FAMILIES = {"visit", "schedule", "status", "cancel", "guidance", "question"}
LETTERS_PER_EXAMPLE = 1
# Family news, health, work far away, directions: what a letter wraps a request in.
OPENINGS = [
    "Dạ con chào cô chú cán bộ xã",
    "Kính gửi các anh chị cán bộ",
    "Chào cán bộ, tôi viết mấy dòng này nhờ đứa cháu gửi giùm",
    "Hỏi thăm cô chú có khỏe không, công việc có nhiều không",
    "Em gửi lời hỏi thăm cả tổ",
    "Thưa cán bộ, tôi là người trong ấp",
]
CLOSINGS = [
    "Chúc cô chú nhiều sức khỏe",
    "Cảm ơn cán bộ đã đọc tin nhắn dài của tôi",
    "Xin lỗi vì làm phiền cán bộ",
    "Mong cán bộ sớm trả lời",
    "Tôi viết hơi dài, mong cán bộ thông cảm",
    "Cảm ơn nhiều nghen",
]
NEWS = [
    "Năm nay ruộng nhà tôi được mùa, lúa bán cũng được giá",
    "Mùa nước năm nay lên sớm, cá linh về nhiều",
    "Thằng con trai lớn của tôi đi làm công ty giày ở Bình Dương đã sáu năm",
    "Con gái tôi lấy chồng bên Đồng Tháp, lâu lâu mới về thăm",
    "Cháu nội tôi năm nay vào lớp một, học giỏi lắm",
    "Hai vợ chồng đứa út đi xuất khẩu lao động bên Nhật chưa về",
    "Tôi năm nay đã ngoài bảy mươi, mắt mờ tay run",
    "Bà nhà tôi bị cao huyết áp, tháng nào cũng đi tái khám",
    "Từ hồi té xe năm ngoái chân tôi yếu hẳn, đi phải có người dìu",
    "Nhà tôi ở cuối xóm, qua cây cầu khỉ rồi quẹo trái",
    "Nhà có hàng rào dâm bụt, trước cửa có cây mai lớn",
    "Cả nhà tôi vẫn bình thường, chỉ có ông già hay đau lưng",
    "Đứa cháu ngoại đang học đại học ở Cần Thơ, tiền học cũng nặng",
    "Tháng rồi mưa dầm, mái tole bị dột mấy chỗ, chưa sửa kịp",
    "Tôi nuôi được bầy vịt, sáng nào cũng lùa ra đồng",
    "Con cháu đi làm ăn xa hết, ở nhà chỉ còn hai ông bà già",
    "Dạo này trời nóng quá, ban đêm ngủ không được",
    "Hàng xóm tốt bụng, hay qua lại coi chừng nhà giùm",
    "Tôi có đứa em họ ở Mỹ, Tết nào cũng gửi quà về",
    "Vườn chuối sau nhà năm nay trổ buồng nhiều",
    "Nhà tôi đối diện quán cà phê, có cột điện sơn trắng",
    "Mấy bữa nay tôi bị cảm, uống thuốc rồi cũng đỡ",
    "Ông xã tôi mất hai năm rồi, giờ tôi ở với con dâu",
    "Đứa cháu nội làm thợ hồ trên Sài Gòn, cuối tháng mới gửi tiền về",
    "Xóm tôi mới có đường bê tông, đi lại đỡ hơn hồi trước",
    "Năm ngoái nước ngập tới thềm, đồ đạc hư nhiều",
    "Con rể tôi chạy xe ôm công nghệ ở Cần Thơ",
    "Tôi còn đi chùa mỗi rằm, đi bộ được một đoạn ngắn",
    "Con ở xa nên nhắn tin thay cho ông bà",
    "Trời mưa miết, đường đất lầy lội, xe máy chạy không nổi",
]
# Vietnamese (folded) word → how younger relatives type it.
TEENCODE_OUT = {
    "khong": ["ko", "hok", "k", "khum"],
    "duoc": ["dc", "đc"],
    "gi": ["j"],
    "vay": ["z", "v", "dzay"],
    "em": ["e"],
    "muon": ["mún", "mun"],
    "can bo": ["cb"],
    "bao gio": ["bh", "bjo"],
    "voi": ["vs", "dzoi"],
    "roi": ["r"],
    "lam": ["lm"],
    "minh": ["mik", "mk"],
    "yeu cau": ["yc"],
    "nhu the nao": ["ntn"],
    "a": ["ak"],
    "biet": ["bik"],
    "luu dong": ["lđ"],
}
# Vietnamese (folded) words → the English a grandchild mixes in.
ENGLISH_OUT = {
    "den nha": ["visit", "home visit", "come by"],
    "hen": ["book", "appointment"],
    "ba noi": ["grandma"],
    "ba ngoai": ["grandma"],
    "ong noi": ["grandpa"],
    "ong ngoai": ["grandpa"],
    "lich": ["schedule"],
    "huy": ["cancel"],
    "tro cap": ["pension"],
    "khai sinh": ["birth certificate"],
    "can cuoc": ["ID card"],
    "bao hiem y te": ["health insurance"],
    "to luu dong": ["mobile team"],
    "can bo": ["officer", "staff"],
    "tinh trang": ["status", "update"],
    "cam on": ["thanks", "thank you"],
}


def augment(examples, seed=SEED):
    """Return new Examples made from EXAMPLES (the dev split); the same input, the same output."""
    rng = random.Random(seed)
    made = []
    seen = {example.text for example in examples}

    def add(example, text):
        if text and text not in seen:
            seen.add(text)
            made.append(
                Example(example.intent, example.hamlet, example.procedure, example.urgency, text)
            )

    for example in examples:
        text = example.text
        if example.family == "menu_reply" or len(text) > 160:
            continue
        plain = strip_diacritics(text)
        add(example, plain)
        add(example, substitute(plain, TEENCODE_OUT, rng))
        add(example, typo(plain, rng))
        if example.family not in ("language", "opt_in", "opt_out", "help"):
            add(example, substitute(plain, ENGLISH_OUT, rng))
        if example.family in LETTER_FAMILIES:
            for _ in range(LETTERS_PER_EXAMPLE):
                add(example, letter(text, rng))
    return made


def substitute(text, table, rng):
    """Replace the words of TABLE found in TEXT (folded, lower case) by one of their forms."""
    lowered = f" {text.lower()} "
    for word in sorted(table, key=len, reverse=True):
        if f" {word} " in lowered and rng.random() < 0.8:
            lowered = lowered.replace(f" {word} ", f" {rng.choice(table[word])} ")
    return lowered.strip()


def typo(text, rng):
    """A doubled last letter ("giúppp") or two words run together ("xinhen")."""
    words = text.split()
    if len(words) < 2:
        return text + text[-1:] * 2
    index = rng.randrange(len(words))
    if rng.random() < 0.5 and index + 1 < len(words):
        words[index : index + 2] = [words[index] + words[index + 1]]
    else:
        words[index] = words[index] + words[index][-1:] * rng.randint(1, 3)
    return " ".join(words)


def letter(request, rng):
    """A long letter: a greeting, family news around REQUEST, a closing; 250 characters or more."""
    news = rng.sample(NEWS, 6)
    before = news[: rng.randint(2, 4)]
    after = news[4 : 4 + rng.randint(0, 2)]
    closing = [rng.choice(CLOSINGS)] if rng.random() < 0.7 else []
    parts = [rng.choice(OPENINGS), *before, request.strip().rstrip("."), *after, *closing]
    text = ". ".join(parts) + "."
    while len(text) < 250:
        parts.insert(1, rng.choice(NEWS))
        text = ". ".join(parts) + "."
    return strip_diacritics(text) if rng.random() < 0.5 else text
