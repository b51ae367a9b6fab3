"""What the phone menu says for each seeded procedure: a short name and a short summary.

The summary says where to go, what to bring and the fee, from the facts in
seed_procedures.py, in words a vi-VN voice reads right: forms and sums spelled out ("mẫu xê tê
không một", "hai nghìn đồng"), no brackets, no abbreviations, the VNeID app named in words.
The full steps and documents go by SMS (key 1). Admins edit these on the catalogue page.
"""

SPOKEN = {
    "VNEID": {
        "spoken_name": "Định danh điện tử mức 2",
        "spoken_summary": (
            "Làm trực tiếp tại Công an xã, không làm qua điện thoại. Mang thẻ căn cước gắn chíp, "
            "và điện thoại có số đứng tên mình. Lệ phí, hỏi Công an xã."
        ),
        "spoken_name_en": "Digital ID, level 2",
        "spoken_summary_en": (
            "Go in person to the commune police, never by phone. Bring your chip ID card and a "
            "phone with a SIM in your own name. Ask the police about any fee."
        ),
    },
    "CANCUOC": {
        "spoken_name": "Thẻ căn cước",
        "spoken_summary": (
            "Làm tại Công an xã, chụp ảnh và lấy vân tay tại chỗ. Mang thẻ căn cước, hoặc chứng "
            "minh nhân dân cũ. Lệ phí, hỏi Công an xã."
        ),
        "spoken_name_en": "ID card",
        "spoken_summary_en": (
            "At the commune police, with a photo and fingerprints on the spot. Bring your "
            "current ID card or your old identity card. Ask the police about the fee."
        ),
    },
    "KHAISINH": {
        "spoken_name": "Khai sinh",
        "spoken_summary": (
            "Đăng ký trong 60 ngày từ ngày sinh, tại Ủy ban nhân dân xã. Mang tờ khai, giấy "
            "chứng sinh bản chính, và căn cước của cha hoặc mẹ. Miễn lệ phí nếu đúng hạn."
        ),
        "spoken_name_en": "Birth registration",
        "spoken_summary_en": (
            "Register within 60 days of the birth, at the commune office. Bring the form, the "
            "original birth notice, and a parent's ID card. Free if on time."
        ),
    },
    "KHAITU": {
        "spoken_name": "Khai tử",
        "spoken_summary": (
            "Người thân đăng ký trong 15 ngày, tại Ủy ban nhân dân xã nơi người mất ở. Mang giấy "
            "báo tử, và căn cước của người đi khai. Miễn lệ phí nếu đúng hạn."
        ),
        "spoken_name_en": "Death registration",
        "spoken_summary_en": (
            "A relative registers within 15 days, at the commune office where the person lived. "
            "Bring the death notice and your ID card. Free if on time."
        ),
    },
    "KETHON": {
        "spoken_name": "Kết hôn",
        "spoken_summary": (
            "Hai người cùng đến Ủy ban nhân dân xã nơi một người cư trú. Mang căn cước của cả "
            "hai người. Miễn lệ phí."
        ),
        "spoken_name_en": "Marriage",
        "spoken_summary_en": (
            "Both of you go to the commune office where one of you lives. Bring both ID cards. "
            "It is free."
        ),
    },
    "THUONGTRU": {
        "spoken_name": "Thường trú",
        "spoken_summary": (
            "Làm tại Công an xã. Mang tờ khai mẫu xê tê không một, và giấy tờ chỗ ở hợp pháp. "
            "Lệ phí, hỏi Công an xã."
        ),
        "spoken_name_en": "Permanent residence",
        "spoken_summary_en": (
            "At the commune police. Bring form C T zero one, and proof of lawful residence. "
            "Ask the police about the fee."
        ),
    },
    "TAMTRU": {
        "spoken_name": "Tạm trú",
        "spoken_summary": (
            "Ở nơi khác từ 30 ngày trở lên, đăng ký tại Công an xã nơi đang ở. Mang tờ khai mẫu "
            "xê tê không một, và giấy tờ chỗ ở hoặc hợp đồng thuê nhà. Lệ phí, hỏi Công an xã."
        ),
        "spoken_name_en": "Temporary residence",
        "spoken_summary_en": (
            "Staying 30 days or more? Register with the local police. Bring form C T zero one, "
            "and proof of residence or a rental contract. Ask about the fee."
        ),
    },
    "SAOY": {
        "spoken_name": "Sao y giấy tờ",
        "spoken_summary": (
            "Làm tại Ủy ban nhân dân xã, thường nhận trong ngày. Mang bản chính và bản phô tô "
            "các trang. Lệ phí hai nghìn đồng một trang, từ trang thứ ba một nghìn đồng."
        ),
        "spoken_name_en": "Certified copy",
        "spoken_summary_en": (
            "At the commune office, usually the same day. Bring the original and copies of every "
            "page. The fee is two thousand dong a page, one thousand from the third page."
        ),
    },
    "SANGTEN": {
        "spoken_name": "Sang tên đất",
        "spoken_summary": (
            "Nên hỏi cán bộ địa chính xã trước. Mang sổ đỏ bản chính, hợp đồng đã công chứng, "
            "và căn cước của các bên. Có thuế và lệ phí, hỏi cán bộ địa chính."
        ),
        "spoken_name_en": "Land transfer",
        "spoken_summary_en": (
            "Ask the land officer first. Bring the original land certificate, the notarised "
            "contract and everyone's ID cards. Taxes and fees apply."
        ),
    },
    "HUUTRI": {
        "spoken_name": "Trợ cấp người cao tuổi",
        "spoken_summary": (
            "Cho người từ 75 tuổi không có lương hưu, hoặc từ 70 tuổi ở hộ nghèo, cận nghèo. Làm "
            "đơn tại Ủy ban nhân dân xã, mang thẻ căn cước. Mức tiền, hỏi cán bộ xã."
        ),
        "spoken_name_en": "Social pension",
        "spoken_summary_en": (
            "For people 75 or over with no pension, or 70 to 74 in a poor or near-poor home. "
            "Apply at the commune office with your ID card."
        ),
    },
    "BHYT": {
        "spoken_name": "Bảo hiểm y tế",
        "spoken_summary": (
            "Đi khám bệnh, có thể dùng thẻ căn cước gắn chíp thay thẻ bảo hiểm giấy. Người hưởng "
            "trợ cấp người cao tuổi được cấp thẻ miễn phí. Mức đóng, hỏi cán bộ xã."
        ),
        "spoken_name_en": "Health insurance",
        "spoken_summary_en": (
            "At the clinic, your chip ID card can replace the paper card. People on the social "
            "pension get a free card. Ask staff about the premium."
        ),
    },
    "TRICHLUC": {
        "spoken_name": "Bản sao khai sinh, kết hôn",
        "spoken_summary": (
            "Xin bản sao khai sinh, kết hôn hoặc khai tử tại Ủy ban nhân dân xã nơi đã đăng ký. "
            "Mang thẻ căn cước, và họ tên, ngày sinh của người cần bản sao. Lệ phí, hỏi cán bộ xã."
        ),
        "spoken_name_en": "Copy of a civil record",
        "spoken_summary_en": (
            "Ask at the commune office where it was registered. Bring your ID card, and the "
            "person's full name and date of birth. A fee is charged; ask staff."
        ),
    },
}
