"""The procedure catalogue seeded by `flask seed`: accented source text, checked against the
reference.
"""

VERIFIED_AS_OF = "2026-11-29"

PROCEDURES = [
    {
        "code": "VNEID",
        "menu_number": 1,
        "name": "Kích hoạt tài khoản định danh điện tử mức 2 (VNeID)",
        "name_en": "VNeID level 2 account",
        "summary": (
            "Đăng ký tài khoản định danh điện tử mức 2 trực tiếp tại Công an xã, không bao giờ làm "
            "qua điện thoại."
        ),
        "synonyms": [
            "DINHDANH",
            "DINHDANHMUC2",
            "KICHHOAT",
            "VNID",
            "DD2",
            "KICHHOATVNEID",
            "DINHDANHDIENTU",
            "TAIKHOANDINHDANH",
        ],
        "steps": [
            (
                "Mang thẻ căn cước gắn chip và điện thoại có số thuê bao đứng tên chính mình đến "
                "Công an xã."
            ),
            (
                "Cán bộ công an chụp ảnh, lấy vân tay và nhận hồ sơ đăng ký tài khoản định danh "
                "điện tử mức 2 ngay tại chỗ."
            ),
            (
                "Khi được duyệt, ông bà nhận tin nhắn thông báo, rồi chỉ tải ứng dụng VNeID chính "
                "thức từ CH Play hoặc App Store."
            ),
            (
                "Ông bà tự kích hoạt trên điện thoại của mình hoặc của con cháu, tự đặt mật khẩu "
                "và mã bảo vệ."
            ),
            (
                "Không bao giờ đọc mã OTP, mật khẩu hay mã bảo vệ cho bất kỳ ai; cán bộ xã và công "
                "an không bao giờ hỏi những mã này."
            ),
        ],
        "documents": [
            "Thẻ căn cước gắn chip",
            "Điện thoại có số thuê bao đứng tên chính mình, không dùng số của con cháu",
            "Điện thoại thông minh, nếu có, để kích hoạt ứng dụng VNeID",
        ],
        "fee_note": "Chưa rõ lệ phí, hỏi cán bộ Công an xã.",
        "deadline_note": "",
        "where_note": "Làm trực tiếp tại Công an xã Phú Lâm, không làm qua điện thoại.",
        "sms_steps": (
            "VNeID mức 2: làm trực tiếp tại Công an xã, không làm qua điện thoại. SIM phải đứng "
            "tên mình. Không đưa mã OTP, mật khẩu cho ai."
        ),
        "sms_documents": (
            "Mang theo: thẻ căn cước gắn chip, điện thoại có SIM đứng tên mình. Chỉ dùng ứng dụng "
            "VNeID chính thức từ CH Play, App Store."
        ),
        "sms_steps_en": (
            "VNeID level 2: in person at the commune police, never by phone. The SIM must be in "
            "your own name. Never give your OTP or password to anyone."
        ),
        "sms_documents_en": (
            "Bring: chip ID card and a phone with a SIM in your own name. Use only the official "
            "VNeID app from CH Play or App Store."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "CANCUOC",
        "menu_number": 2,
        "name": "Cấp, đổi thẻ căn cước",
        "name_en": "ID card (issue or renew)",
        "summary": (
            "Làm mới hoặc đổi thẻ căn cước tại Công an xã; chứng minh nhân dân cũ đã hết giá trị "
            "từ ngày 1 tháng 1 năm 2025."
        ),
        "synonyms": [
            "CCCD",
            "CMND",
            "LAMCANCUOC",
            "DOICANCUOC",
            "CANCUOCCONGDAN",
            "THECANCUOC",
            "CHUNGMINHTHU",
            "CHUNGMINHNHANDAN",
            "LAMCCCD",
        ],
        "steps": [
            (
                "Đến Công an xã Phú Lâm, mang theo thẻ căn cước công dân hoặc chứng minh "
                "nhân dân cũ."
            ),
            (
                "Cán bộ kiểm tra thông tin trong cơ sở dữ liệu dân cư; nếu thông tin bị "
                "sai, ông bà nộp thêm giấy khai sinh hoặc giấy chứng nhận kết hôn."
            ),
            "Cán bộ chụp ảnh và lấy vân tay ngay tại chỗ.",
            "Hỏi cán bộ ngày trả thẻ và cách nhận thẻ.",
            (
                "Thẻ phải đổi khi đủ 14, 25, 40 và 60 tuổi; thẻ cấp khi từ 58 tuổi trở "
                "lên thì dùng suốt đời."
            ),
            (
                "Thẻ căn cước, căn cước công dân còn hạn vẫn dùng được; sáp nhập xã không "
                "bắt buộc làm thẻ mới."
            ),
        ],
        "documents": [
            "Thẻ căn cước công dân hoặc chứng minh nhân dân cũ",
            "Giấy khai sinh hoặc giấy chứng nhận kết hôn, nếu thông tin trong cơ sở dữ liệu bị sai",
        ],
        "fee_note": "Chưa rõ lệ phí, hỏi cán bộ Công an xã.",
        "deadline_note": (
            "Chứng minh nhân dân cũ hết giá trị từ ngày 1 tháng 1 năm 2025. Đổi thẻ khi đủ 14, 25, "
            "40 và 60 tuổi; thẻ cấp từ 58 tuổi trở lên dùng suốt đời."
        ),
        "where_note": "Công an xã Phú Lâm, hoặc điểm cấp lưu động nếu Công an xã có tổ chức.",
        "sms_steps": (
            "Căn cước: làm tại Công an xã, lấy vân tay tại chỗ. CMND cũ hết giá trị từ "
            "1/1/2025. Thẻ căn cước còn hạn vẫn dùng, sáp nhập xã không phải đổi thẻ."
        ),
        "sms_documents": (
            "Mang theo: thẻ căn cước cũ hoặc CMND cũ; giấy khai sinh, giấy kết hôn nếu thông tin "
            "bị sai."
        ),
        "sms_steps_en": (
            "ID card: at the commune police. Old CMND invalid since 1/1/2025. A valid ID "
            "card stays valid: the commune merger does not require a new one."
        ),
        "sms_documents_en": (
            "Bring: current ID card or old CMND; birth or marriage certificate if your data are "
            "wrong."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "KHAISINH",
        "menu_number": 3,
        "name": "Đăng ký khai sinh",
        "name_en": "Birth registration",
        "summary": (
            "Đăng ký khai sinh cho trẻ trong 60 ngày kể từ ngày sinh; một hồ sơ làm luôn thường "
            "trú và thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi."
        ),
        "synonyms": [
            "KS",
            "GIAYKHAISINH",
            "DANGKYKHAISINH",
            "LAMKHAISINH",
            "LAMGIAYKHAISINH",
        ],
        "steps": [
            (
                "Trong vòng 60 ngày kể từ ngày sinh, cha hoặc mẹ (ông bà, nếu cha mẹ "
                "không đi khai được) đến Ủy ban nhân dân xã, hoặc nộp trực tuyến trên ứng "
                "dụng VNeID hay Cổng dịch vụ công quốc gia."
            ),
            (
                "Điền tờ khai và nộp giấy chứng sinh bản chính của bệnh viện; nếu không "
                "có, nộp văn bản của người làm chứng hoặc giấy cam đoan."
            ),
            (
                "Một hồ sơ liên thông làm luôn khai sinh, đăng ký thường trú và thẻ bảo "
                "hiểm y tế cho trẻ dưới 6 tuổi."
            ),
            (
                "Nộp trực tuyến thì nhận giấy khai sinh điện tử trong ngày, cả quy trình "
                "khoảng 3 ngày làm việc; nộp hồ sơ giấy thì tối đa 20 ngày làm việc."
            ),
        ],
        "documents": [
            "Tờ khai đăng ký khai sinh",
            (
                "Giấy chứng sinh bản chính của bệnh viện, hoặc văn bản người làm chứng, "
                "giấy cam đoan nếu không có giấy chứng sinh"
            ),
            ("Thẻ căn cước của người đi khai: cha hoặc mẹ, hoặc ông bà nếu cha mẹ không đi được"),
            "Giấy chứng nhận kết hôn của cha mẹ, nếu có",
        ],
        "fee_note": "Miễn lệ phí nếu đăng ký đúng hạn.",
        "deadline_note": "Trong vòng 60 ngày kể từ ngày sinh.",
        "where_note": (
            "Ủy ban nhân dân xã Phú Lâm (Trung tâm Phục vụ hành chính công xã), hoặc trực tuyến "
            "trên ứng dụng VNeID hay Cổng dịch vụ công quốc gia."
        ),
        "sms_steps": (
            "Khai sinh: trong 60 ngày từ ngày sinh, tại UBND xã hoặc trên VNeID. Miễn phí nếu đúng "
            "hạn. Làm luôn thường trú và thẻ BHYT cho trẻ."
        ),
        "sms_documents": (
            "Mang theo: tờ khai, giấy chứng sinh bản chính, căn cước người đi khai (cha "
            "mẹ, hoặc ông bà nếu cha mẹ không đi được), giấy kết hôn nếu có."
        ),
        "sms_steps_en": (
            "Birth: within 60 days, at the commune office or on VNeID. Free if on time. Also "
            "covers residence and the child's health insurance card."
        ),
        "sms_documents_en": (
            "Bring: form, hospital birth notice, ID of the person declaring (a parent, or "
            "a grandparent if the parents cannot), marriage certificate if any."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "KHAITU",
        "menu_number": 4,
        "name": "Đăng ký khai tử",
        "name_en": "Death registration",
        "summary": (
            "Người thân đăng ký khai tử trong 15 ngày kể từ ngày mất; một hồ sơ làm luôn "
            "xóa thường trú, và mai táng phí nếu người mất được hưởng."
        ),
        "synonyms": [
            "BAOTU",
            "DANGKYKHAITU",
            "MAITANGPHI",
            "LAMKHAITU",
            "GIAYKHAITU",
            "TIENMAITANG",
            "TUTUAT",
        ],
        "steps": [
            (
                "Trong vòng 15 ngày kể từ ngày mất, người thân đến Ủy ban nhân dân xã nơi "
                "người mất cư trú cuối cùng."
            ),
            (
                "Nộp giấy báo tử do bệnh viện hoặc Ủy ban nhân dân xã cấp, cùng thẻ căn "
                "cước của người đi khai."
            ),
            (
                "Một hồ sơ liên thông làm luôn khai tử, xóa đăng ký thường trú và trợ cấp "
                "mai táng phí, nếu người mất thuộc diện được hưởng."
            ),
            ("Cũng có thể nộp trực tuyến trên ứng dụng VNeID hoặc Cổng dịch vụ công quốc gia."),
        ],
        "documents": [
            "Giấy báo tử do bệnh viện hoặc Ủy ban nhân dân xã cấp",
            "Thẻ căn cước của người đi khai tử",
        ],
        "fee_note": "Miễn lệ phí nếu đăng ký đúng hạn.",
        "deadline_note": "Trong vòng 15 ngày kể từ ngày mất.",
        "where_note": (
            "Ủy ban nhân dân xã nơi người mất cư trú cuối cùng, hoặc trực tuyến trên ứng dụng "
            "VNeID."
        ),
        "sms_steps": (
            "Khai tử: người thân làm trong 15 ngày từ ngày mất, tại UBND xã nơi cư trú "
            "cuối. Miễn phí nếu đúng hạn. Mai táng phí nếu người mất được hưởng."
        ),
        "sms_documents": (
            "Mang theo: giấy báo tử của bệnh viện hoặc UBND xã, thẻ căn cước của người đi khai."
        ),
        "sms_steps_en": (
            "Death: a relative registers within 15 days at the commune office of the last "
            "residence. Free if on time. Funeral allowance if entitled."
        ),
        "sms_documents_en": (
            "Bring: death notice from the hospital or commune office, and the ID card of the "
            "person declaring."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "KETHON",
        "menu_number": 5,
        "name": "Đăng ký kết hôn",
        "name_en": "Marriage registration",
        "summary": (
            "Hai người cùng đến Ủy ban nhân dân xã nơi một trong hai người cư trú để đăng ký kết "
            "hôn, miễn lệ phí."
        ),
        "synonyms": [
            "DANGKYKETHON",
            "LAMGIAYKETHON",
            "LAMHONTHU",
            "GIAYHONTHU",
        ],
        "steps": [
            "Hai người cùng có mặt tại Ủy ban nhân dân xã nơi một trong hai người cư trú.",
            "Xuất trình thẻ căn cước của cả hai người.",
            (
                "Nếu một người không cư trú tại xã, mang theo giấy xác nhận tình trạng hôn nhân; "
                "nếu đã ly hôn, mang bản sao quyết định ly hôn."
            ),
            (
                "Cả hai ký vào sổ hộ tịch, rồi Chủ tịch Ủy ban nhân dân xã trao giấy chứng nhận "
                "kết hôn."
            ),
        ],
        "documents": [
            "Tờ khai đăng ký kết hôn",
            "Thẻ căn cước của cả hai người",
            ("Giấy xác nhận tình trạng hôn nhân, nếu không cư trú tại xã"),
            "Bản sao quyết định ly hôn, nếu đã ly hôn",
        ],
        "fee_note": "Miễn lệ phí cho công dân Việt Nam cư trú trong nước.",
        "deadline_note": "",
        "where_note": "Ủy ban nhân dân xã nơi một trong hai người cư trú; cả hai phải có mặt.",
        "sms_steps": (
            "Kết hôn: cả hai cùng đến UBND xã nơi 1 trong 2 người cư trú, ký vào sổ hộ "
            "tịch và nhận giấy kết hôn. Miễn phí."
        ),
        "sms_documents": (
            "Mang theo: tờ khai đăng ký kết hôn, căn cước của cả hai; xác nhận tình trạng "
            "hôn nhân nếu không ở xã; quyết định ly hôn nếu có."
        ),
        "sms_steps_en": (
            "Marriage: both go to the commune office where one of you lives, sign the "
            "civil status register and get the certificate. Free."
        ),
        "sms_documents_en": (
            "Bring: the marriage registration form, both ID cards; marital status "
            "certificate if not living here; divorce decision if any."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "THUONGTRU",
        "menu_number": 6,
        "name": "Đăng ký thường trú",
        "name_en": "Permanent residence",
        "summary": (
            "Đăng ký thường trú tại Công an xã hoặc trực tuyến, có kết quả trong 7 ngày làm việc; "
            "không còn dùng sổ hộ khẩu giấy."
        ),
        "synonyms": [
            "HOKHAU",
            "NHAPHOKHAU",
            "NHAPKHAU",
            "DANGKYTHUONGTRU",
            "CHUYENHOKHAU",
            "TACHHOKHAU",
        ],
        "steps": [
            "Điền tờ khai thay đổi thông tin cư trú theo mẫu CT01.",
            (
                "Chuẩn bị giấy tờ chứng minh chỗ ở hợp pháp, như giấy chứng nhận quyền sử dụng "
                "đất, hoặc văn bản đồng ý của chủ hộ hay chủ nhà."
            ),
            (
                "Nếu nhập về ở với người thân, mang thêm giấy khai sinh hoặc giấy chứng nhận kết "
                "hôn để chứng minh quan hệ."
            ),
            (
                "Nộp tại Công an xã hoặc trực tuyến trên ứng dụng VNeID; có kết quả trong 7 ngày "
                "làm việc."
            ),
            "Không cần sổ hộ khẩu, vì sổ hộ khẩu giấy không còn được sử dụng.",
        ],
        "documents": [
            "Tờ khai thay đổi thông tin cư trú, mẫu CT01",
            (
                "Giấy tờ chứng minh chỗ ở hợp pháp, ví dụ giấy chứng nhận quyền sử dụng "
                "đất (sổ đỏ), hoặc văn bản đồng ý của chủ hộ, chủ nhà"
            ),
            ("Giấy khai sinh hoặc giấy chứng nhận kết hôn, nếu nhập về ở với người thân"),
        ],
        "fee_note": "Chưa rõ lệ phí, hỏi cán bộ Công an xã.",
        "deadline_note": "Có kết quả trong 7 ngày làm việc.",
        "where_note": (
            "Công an xã Phú Lâm, hoặc trực tuyến trên ứng dụng VNeID hay Cổng dịch vụ công quốc "
            "gia."
        ),
        "sms_steps": (
            "Thường trú: nộp tại Công an xã hoặc trên VNeID, có kết quả trong 7 ngày làm việc. "
            "Không cần sổ hộ khẩu. Lệ phí hỏi Công an xã."
        ),
        "sms_documents": (
            "Mang theo: tờ khai CT01, giấy tờ chỗ ở hợp pháp hoặc văn bản đồng ý của chủ hộ; giấy "
            "khai sinh, kết hôn nếu ở với người thân."
        ),
        "sms_steps_en": (
            "Permanent residence: file at the commune police or on VNeID; result in 7 working "
            "days. No household book needed. Ask the police about fees."
        ),
        "sms_documents_en": (
            "Bring: form CT01, proof of lawful residence or the owner's written consent; birth or "
            "marriage certificate if joining relatives."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "TAMTRU",
        "menu_number": 7,
        "name": "Đăng ký tạm trú",
        "name_en": "Temporary residence",
        "summary": (
            "Phải đăng ký tạm trú khi đến ở nơi khác từ 30 ngày trở lên; tạm trú có giá trị tối đa "
            "2 năm và được gia hạn."
        ),
        "synonyms": [
            "KHAIBAOTAMTRU",
            "GIAHANTAMTRU",
            "DANGKYTAMTRU",
            "LAMTAMTRU",
        ],
        "steps": [
            "Khi đến ở nơi khác từ 30 ngày trở lên, cần đăng ký tạm trú tại Công an xã nơi đang ở.",
            (
                "Điền tờ khai theo mẫu CT01 và mang giấy tờ chứng minh chỗ ở hợp pháp, hoặc hợp "
                "đồng thuê nhà, mượn nhà."
            ),
            "Nộp tại Công an xã hoặc trực tuyến trên ứng dụng VNeID.",
            (
                "Thường có kết quả trong khoảng 3 ngày làm việc; tạm trú có giá trị tối đa 2 năm "
                "và có thể gia hạn."
            ),
        ],
        "documents": [
            "Tờ khai thay đổi thông tin cư trú, mẫu CT01",
            "Giấy tờ chứng minh chỗ ở hợp pháp, hoặc hợp đồng thuê nhà, mượn nhà",
        ],
        "fee_note": "Chưa rõ lệ phí, hỏi cán bộ Công an xã.",
        "deadline_note": (
            "Đăng ký khi ở nơi khác từ 30 ngày trở lên; thường có kết quả trong khoảng 3 ngày làm "
            "việc; giá trị tối đa 2 năm, được gia hạn."
        ),
        "where_note": "Công an xã nơi đang ở, hoặc trực tuyến trên ứng dụng VNeID.",
        "sms_steps": (
            "Tạm trú: ở nơi khác từ 30 ngày phải đăng ký tại Công an xã nơi ở hoặc trên VNeID. Kết "
            "quả khoảng 3 ngày làm việc, hạn tối đa 2 năm."
        ),
        "sms_documents": (
            "Mang theo: tờ khai CT01, giấy tờ chỗ ở hợp pháp hoặc hợp đồng thuê, mượn nhà."
        ),
        "sms_steps_en": (
            "Temporary residence: staying 30 days or more? Register at the local commune police or "
            "on VNeID. About 3 working days; valid up to 2 years."
        ),
        "sms_documents_en": (
            "Bring: form CT01, proof of lawful residence or a rental or loan contract."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "SAOY",
        "menu_number": 8,
        "name": "Chứng thực bản sao từ bản chính (sao y)",
        "name_en": "Certified copy",
        "summary": (
            "Chứng thực bản sao từ bản chính tại Ủy ban nhân dân xã, thường nhận ngay trong ngày."
        ),
        "synonyms": [
            "CHUNGTHUC",
            "CONGCHUNG",
            "SAOYBANCHINH",
            "PHOTOCONGCHUNG",
            "SAOYGIAYTO",
            "CONGCHUNGGIAYTO",
        ],
        "steps": [
            (
                "Mang bản chính giấy tờ và bản photo tất cả các trang đến Ủy ban nhân dân xã, hoặc "
                "đến văn phòng công chứng."
            ),
            (
                "Bản chính phải còn nguyên vẹn, không rách, không bị tẩy xóa, và không phải giấy "
                "tự lập mà không có đóng dấu."
            ),
            "Cán bộ đối chiếu bản photo với bản chính rồi chứng thực.",
            (
                "Nộp trước 15 giờ thì nhận trong ngày; nộp sau 15 giờ thì nhận vào ngày làm việc "
                "tiếp theo."
            ),
            (
                "Lệ phí 2.000 đồng một trang cho trang thứ nhất và thứ hai, từ trang thứ ba là "
                "1.000 đồng một trang, tối đa 200.000 đồng một bản."
            ),
        ],
        "documents": [
            "Bản chính giấy tờ cần chứng thực, còn nguyên vẹn",
            "Bản photo tất cả các trang của giấy tờ",
        ],
        "fee_note": (
            "2.000 đồng một trang cho trang thứ nhất và thứ hai, từ trang thứ ba 1.000 đồng một "
            "trang, tối đa 200.000 đồng một bản."
        ),
        "deadline_note": "Nhận trong ngày; nộp sau 15 giờ thì nhận vào ngày làm việc tiếp theo.",
        "where_note": (
            "Ủy ban nhân dân xã Phú Lâm (Trung tâm Phục vụ hành chính công xã), hoặc văn phòng "
            "công chứng."
        ),
        "sms_steps": (
            "Sao y: tại UBND xã, nhận trong ngày; nộp sau 15h thì nhận ngày làm việc sau. "
            "Phí 2.000d/trang 1-2, 1.000d/trang từ trang 3, tối đa 200.000d."
        ),
        "sms_documents": (
            "Mang theo: bản chính (không rách, không tẩy xóa) và bản photo tất cả các trang."
        ),
        "sms_steps_en": (
            "Certified copy: at the commune office, same day (after 15h: next working "
            "day). Fee 2.000d/page for pages 1-2, 1.000d/page after, max 200.000d."
        ),
        "sms_documents_en": (
            "Bring: the original (not torn, not altered) and photocopies of all pages."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "SANGTEN",
        "menu_number": 9,
        "name": "Đăng ký biến động đất đai (thừa kế, tặng cho, chuyển nhượng)",
        "name_en": "Land transfer (inheritance, gift, sale)",
        "summary": (
            "Sang tên sổ đỏ, sổ hồng khi thừa kế, tặng cho hoặc chuyển nhượng đất; nên hỏi cán bộ "
            "địa chính xã trước khi làm."
        ),
        "synonyms": [
            "SODO",
            "SOHONG",
            "DAT",
            "THUAKE",
            "TANGCHO",
            "SANGTENSODO",
            "SANGTENDAT",
            "CHUYENNHUONG",
            "BIENDONGDATDAI",
        ],
        "steps": [
            (
                "Trước tiên, công chứng hoặc chứng thực hợp đồng chuyển nhượng, hợp đồng tặng cho, "
                "hoặc văn bản thừa kế."
            ),
            (
                "Nộp hồ sơ đăng ký biến động tại Trung tâm Phục vụ hành chính công xã; hồ sơ được "
                "giải quyết cùng Chi nhánh Văn phòng đăng ký đất đai."
            ),
            "Nộp các khoản thuế và lệ phí theo hướng dẫn của cán bộ.",
            "Nhận lại giấy chứng nhận đã cập nhật tên người mới.",
            (
                "Mẫu đơn, thời gian giải quyết và số tiền thuế, phí cần hỏi cán bộ địa chính xã, "
                "vì thông tin này đang chờ xác nhận."
            ),
        ],
        "documents": [
            ("Bản chính giấy chứng nhận quyền sử dụng đất (sổ đỏ, sổ hồng)"),
            ("Hợp đồng hoặc văn bản thừa kế đã công chứng, chứng thực"),
            "Thẻ căn cước của tất cả các bên",
            ("Đơn đăng ký biến động đất đai, hỏi cán bộ để lấy đúng mẫu"),
        ],
        "fee_note": "Có thuế và lệ phí; chưa rõ số tiền, hỏi cán bộ địa chính xã.",
        "deadline_note": "Chưa rõ thời gian giải quyết tại địa phương, hỏi cán bộ địa chính xã.",
        "where_note": (
            "Trung tâm Phục vụ hành chính công xã Phú Lâm, giải quyết cùng Chi nhánh Văn phòng "
            "đăng ký đất đai."
        ),
        "sms_steps": (
            "Sang tên đất: công chứng hợp đồng hoặc văn bản thừa kế, rồi nộp tại Trung tâm hành "
            "chính công xã. Thuế, phí, thời hạn: hỏi địa chính xã."
        ),
        "sms_documents": (
            "Mang theo: giấy chứng nhận đất (sổ đỏ) bản chính, hợp đồng hoặc văn bản thừa "
            "kế đã công chứng, căn cước của các bên."
        ),
        "sms_steps_en": (
            "Land transfer: notarise the contract or inheritance paper, then file at the commune "
            "service centre. Taxes, fees, time: ask the land officer."
        ),
        "sms_documents_en": (
            "Bring: original land certificate, notarised contract or inheritance document, ID "
            "cards of all parties."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "HUUTRI",
        "menu_number": 10,
        "name": "Trợ cấp hưu trí xã hội (người cao tuổi)",
        "name_en": "Social pension (older people)",
        "summary": (
            "Người từ 75 tuổi không có lương hưu, hoặc từ 70 đến 74 tuổi thuộc hộ nghèo, cận "
            "nghèo, làm đơn xin trợ cấp hưu trí xã hội tại Ủy ban nhân dân xã."
        ),
        "synonyms": [
            "TROCAP",
            "TIENGIA",
            "TROCAPNGUOIGIA",
            "HUUTRIXAHOI",
            "TIENNGUOIGIA",
            "TROCAPHUUTRI",
            "TIENTUOIGIA",
        ],
        "steps": [
            (
                "Người từ 75 tuổi trở lên không có lương hưu, hoặc có lương hưu thấp hơn mức trợ "
                "cấp, hoặc người từ 70 đến 74 tuổi thuộc hộ nghèo, hộ cận nghèo, có thể xin trợ "
                "cấp."
            ),
            (
                "Lấy đơn đề nghị theo Mẫu số 01 tại Ủy ban nhân dân xã, điền rồi nộp lại cùng thẻ "
                "căn cước."
            ),
            "Chủ tịch Ủy ban nhân dân xã xem xét và quyết định trong 10 ngày làm việc.",
            (
                "Người được hưởng trợ cấp còn được cấp thẻ bảo hiểm y tế miễn phí và được hỗ trợ "
                "mai táng phí."
            ),
            "Mức tiền trợ cấp và cách nhận tiền, xin hỏi cán bộ xã để được hướng dẫn đúng.",
        ],
        "documents": [
            "Thẻ căn cước",
            "Đơn đề nghị theo Mẫu số 01, có sẵn tại Ủy ban nhân dân xã",
        ],
        "fee_note": "",
        "deadline_note": (
            "Chủ tịch Ủy ban nhân dân xã quyết định trong 10 ngày làm việc; áp dụng từ ngày 1 "
            "tháng 7 năm 2025."
        ),
        "where_note": "Ủy ban nhân dân xã Phú Lâm (Trung tâm Phục vụ hành chính công xã).",
        "sms_steps": (
            "Trợ cấp người cao tuổi: từ 75 tuổi không lương hưu, hoặc 70-74 tuổi hộ "
            "nghèo, cận nghèo. Nộp đơn Mẫu 01 tại UBND xã, trả lời trong 10 ngày làm "
            "việc."
        ),
        "sms_documents": (
            "Mang theo: thẻ căn cước. Đơn Mẫu 01 có sẵn tại UBND xã. Mức tiền và cách nhận tiền: "
            "hỏi cán bộ xã."
        ),
        "sms_steps_en": (
            "Social pension: 75 or over with no pension, or 70-74 in a poor/near-poor home. Form "
            "Mau 01 at the commune office; decision in 10 work days."
        ),
        "sms_documents_en": (
            "Bring: ID card. Form Mau 01 is available at the commune office. Ask staff about the "
            "amount and how it is paid."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "BHYT",
        "menu_number": 11,
        "name": "Bảo hiểm y tế người cao tuổi",
        "name_en": "Health insurance (older people)",
        "summary": (
            "Đi khám bệnh có thể dùng thẻ căn cước gắn chip hoặc VNeID mức 2 thay cho thẻ bảo hiểm "
            "y tế giấy."
        ),
        "synonyms": [
            "BAOHIEM",
            "BAOHIEMYTE",
            "THEBHYT",
            "THEBAOHIEM",
            "THEBAOHIEMYTE",
            "MUABHYT",
            "MUABAOHIEMYTE",
        ],
        "steps": [
            (
                "Khi đi khám bệnh, có thể đưa thẻ căn cước gắn chip hoặc tài khoản VNeID mức 2 "
                "thay cho thẻ bảo hiểm y tế giấy."
            ),
            "Người đang hưởng trợ cấp hưu trí xã hội được cấp thẻ bảo hiểm y tế miễn phí.",
            "Muốn mua bảo hiểm y tế hộ gia đình, hãy hỏi cán bộ xã về điểm thu tại xã và mức đóng.",
            "Mang theo thẻ căn cước, và thẻ bảo hiểm y tế cũ hoặc mã số bảo hiểm xã hội nếu có.",
        ],
        "documents": [
            "Thẻ căn cước",
            "Thẻ bảo hiểm y tế cũ hoặc mã số bảo hiểm xã hội, nếu có",
        ],
        "fee_note": (
            "Chưa rõ mức đóng bảo hiểm y tế hộ gia đình, hỏi cán bộ xã. Người hưởng trợ cấp hưu "
            "trí xã hội được cấp thẻ miễn phí."
        ),
        "deadline_note": "",
        "where_note": (
            "Khám bệnh tại cơ sở y tế bằng thẻ căn cước gắn chip hoặc VNeID mức 2; mua bảo hiểm y "
            "tế hộ gia đình qua điểm thu tại xã, hỏi cán bộ xã địa điểm."
        ),
        "sms_steps": (
            "BHYT: đi khám dùng căn cước gắn chip hoặc VNeID mức 2 thay thẻ giấy. Người "
            "hưởng trợ cấp người cao tuổi được thẻ miễn phí. Mức đóng: hỏi xã."
        ),
        "sms_documents": "Mang theo: thẻ căn cước; thẻ BHYT cũ hoặc mã số BHXH nếu có.",
        "sms_steps_en": (
            "Health insurance: at the clinic a chip ID card or VNeID level 2 replaces the paper "
            "card. Social pension receivers get a free card."
        ),
        "sms_documents_en": (
            "Bring: ID card; old health insurance card or social insurance number if any. Ask "
            "commune staff about the premium."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
    {
        "code": "TRICHLUC",
        "menu_number": 12,
        "name": "Cấp bản sao trích lục hộ tịch",
        "name_en": "Copy of civil status record",
        "summary": (
            "Xin bản sao trích lục khai sinh, kết hôn hoặc khai tử tại Ủy ban nhân dân xã nơi đã "
            "đăng ký; có thu lệ phí."
        ),
        "synonyms": [
            "BANSAO",
            "BANSAOKHAISINH",
            "TRICHLUCKHAISINH",
            "BANSAOKETHON",
            "BANSAOKHAITU",
            "TRICHLUCHOTICH",
        ],
        "steps": [
            ("Đến Ủy ban nhân dân xã nơi trước đây đã đăng ký khai sinh, kết hôn hoặc khai tử."),
            (
                "Sổ hộ tịch của xã Long Hòa và xã Phú Long cũ được lưu tại Ủy ban nhân "
                "dân xã Phú Lâm."
            ),
            ("Cho cán bộ biết họ tên, ngày sinh và nơi đăng ký của người cần xin bản sao."),
            "Xuất trình thẻ căn cước và nộp lệ phí theo quy định.",
            ("Nếu muốn nộp trực tuyến trên ứng dụng VNeID, hãy hỏi cán bộ xã trước."),
        ],
        "documents": [
            "Thẻ căn cước",
            "Họ tên, ngày sinh và nơi đăng ký của người cần bản sao",
        ],
        "fee_note": "Có thu lệ phí; chưa rõ số tiền, hỏi cán bộ xã.",
        "deadline_note": "",
        "where_note": (
            "Ủy ban nhân dân xã nơi đã đăng ký hộ tịch trước đây. Sổ hộ tịch của xã Long "
            "Hòa và xã Phú Long cũ lưu tại Ủy ban nhân dân xã Phú Lâm."
        ),
        "sms_steps": (
            "Trích lục (bản sao khai sinh, kết hôn, khai tử): xin tại UBND xã nơi đã đăng "
            "ký; sổ của xã Long Hòa, Phú Long cũ giữ tại UBND xã Phú Lâm. Có lệ phí."
        ),
        "sms_documents": (
            "Mang theo: thẻ căn cước; họ tên, ngày sinh, nơi đăng ký của người cần bản sao."
        ),
        "sms_steps_en": (
            "Extract copy (birth, marriage, death): at the commune office where "
            "registered; old Long Hoa and Phu Long records are at Phu Lam. A fee is "
            "charged."
        ),
        "sms_documents_en": (
            "Bring: ID card; full name, date of birth and place of registration of the person "
            "concerned."
        ),
        "verified_as_of": VERIFIED_AS_OF,
    },
]


# Earlier seed texts that misled an elderly reader or were wrong (issue 19, §5). `flask seed`
# replaces a stored field that still holds its earlier text, and keeps any staff edit.
SUPERSEDED = {
    "CANCUOC": {
        "sms_steps": (
            "Căn cước: làm tại Công an xã, chụp ảnh, lấy vân tay tại chỗ. CMND cũ hết giá "
            "trị từ 1/1/2025. Thẻ cấp từ 58 tuổi dùng suốt đời."
        ),
        "sms_steps_en": (
            "ID card: at the commune police; photo and fingerprints on site. Old CMND "
            "invalid since 1/1/2025. Cards issued at 58 or older last for life."
        ),
        "steps": [
            (
                "Đến Công an xã Phú Lâm, mang theo thẻ căn cước công dân hoặc chứng minh "
                "nhân dân cũ."
            ),
            (
                "Cán bộ kiểm tra thông tin trong cơ sở dữ liệu dân cư; nếu thông tin bị "
                "sai, ông bà nộp thêm giấy khai sinh hoặc giấy chứng nhận kết hôn."
            ),
            "Cán bộ chụp ảnh và lấy vân tay ngay tại chỗ.",
            "Hỏi cán bộ ngày trả thẻ và cách nhận thẻ.",
            (
                "Thẻ phải đổi khi đủ 14, 25, 40 và 60 tuổi; thẻ cấp khi từ 58 tuổi trở "
                "lên thì dùng suốt đời."
            ),
        ],
    },
    "KHAISINH": {
        "sms_documents": (
            "Mang theo: tờ khai, giấy chứng sinh bản chính, căn cước của cha hoặc mẹ, "
            "giấy kết hôn nếu có."
        ),
        "sms_documents_en": (
            "Bring: declaration form, original hospital birth notice, ID card of the "
            "parent declaring, marriage certificate if any."
        ),
        "steps": [
            (
                "Trong vòng 60 ngày kể từ ngày sinh, cha hoặc mẹ đến Ủy ban nhân dân xã, "
                "hoặc nộp trực tuyến trên ứng dụng VNeID hay Cổng dịch vụ công quốc gia."
            ),
            (
                "Điền tờ khai và nộp giấy chứng sinh bản chính của bệnh viện; nếu không "
                "có, nộp văn bản của người làm chứng hoặc giấy cam đoan."
            ),
            (
                "Một hồ sơ liên thông làm luôn khai sinh, đăng ký thường trú và thẻ bảo "
                "hiểm y tế cho trẻ dưới 6 tuổi."
            ),
            (
                "Nộp trực tuyến thì nhận giấy khai sinh điện tử trong ngày, cả quy trình "
                "khoảng 3 ngày làm việc; nộp hồ sơ giấy thì tối đa 20 ngày làm việc."
            ),
        ],
        "documents": [
            "Tờ khai đăng ký khai sinh",
            (
                "Giấy chứng sinh bản chính của bệnh viện, hoặc văn bản người làm chứng, "
                "giấy cam đoan nếu không có giấy chứng sinh"
            ),
            "Thẻ căn cước của cha hoặc mẹ đi khai",
            "Giấy chứng nhận kết hôn của cha mẹ, nếu có",
        ],
    },
    "KHAITU": {
        "sms_steps": (
            "Khai tử: người thân làm trong 15 ngày từ ngày mất, tại UBND xã nơi cư trú "
            "cuối. Miễn phí nếu đúng hạn. Làm luôn mai táng phí."
        ),
        "sms_steps_en": (
            "Death: a relative registers within 15 days at the commune office of the last "
            "residence. Free if on time. Includes funeral allowance."
        ),
        "steps": [
            (
                "Trong vòng 15 ngày kể từ ngày mất, người thân đến Ủy ban nhân dân xã nơi "
                "người mất cư trú cuối cùng."
            ),
            (
                "Nộp giấy báo tử do bệnh viện hoặc Ủy ban nhân dân xã cấp, cùng thẻ căn "
                "cước của người đi khai."
            ),
            (
                "Một hồ sơ liên thông làm luôn khai tử, xóa đăng ký thường trú và trợ cấp "
                "mai táng phí."
            ),
            ("Cũng có thể nộp trực tuyến trên ứng dụng VNeID hoặc Cổng dịch vụ công quốc gia."),
        ],
        "summary": (
            "Người thân đăng ký khai tử trong 15 ngày kể từ ngày mất; một hồ sơ làm luôn "
            "xóa thường trú và mai táng phí."
        ),
    },
    "KETHON": {
        "sms_steps": (
            "Kết hôn: cả hai cùng đến UBND xã nơi 1 trong 2 người cư trú, ký sổ và nhận "
            "giấy kết hôn. Miễn phí."
        ),
        "sms_documents": (
            "Mang theo: căn cước của cả hai; xác nhận tình trạng hôn nhân nếu không ở xã; "
            "quyết định ly hôn nếu đã ly hôn."
        ),
        "sms_steps_en": (
            "Marriage: both go to the commune office where one of you lives, sign the "
            "register and get the certificate. Free."
        ),
        "sms_documents_en": (
            "Bring: both ID cards; marital status certificate if not living in the "
            "commune; divorce decision if divorced."
        ),
        "documents": [
            "Thẻ căn cước của cả hai người",
            ("Giấy xác nhận tình trạng hôn nhân, nếu không cư trú tại xã"),
            "Bản sao quyết định ly hôn, nếu đã ly hôn",
        ],
    },
    "SAOY": {
        "sms_steps": (
            "Sao y: tại UBND xã, nhận trong ngày (nộp sau 15h thì hôm sau). Phí "
            "2.000d/trang cho trang 1-2, 1.000d/trang từ trang 3, tối đa 200.000d."
        ),
        "sms_steps_en": (
            "Certified copy: at the commune office, same day (after 15h: next day). Fee "
            "2.000d/page for pages 1-2, 1.000d/page after, max 200.000d."
        ),
    },
    "SANGTEN": {
        "sms_documents": (
            "Mang theo: sổ đỏ hoặc sổ hồng bản chính, hợp đồng hoặc văn bản thừa kế đã "
            "công chứng, căn cước của các bên."
        ),
        "documents": [
            "Bản chính sổ đỏ hoặc sổ hồng",
            ("Hợp đồng hoặc văn bản thừa kế đã công chứng, chứng thực"),
            "Thẻ căn cước của tất cả các bên",
            ("Đơn đăng ký biến động đất đai, hỏi cán bộ để lấy đúng mẫu"),
        ],
    },
    "HUUTRI": {
        "sms_steps": (
            "Tiền già: từ 75 tuổi không có lương hưu, hoặc 70-74 tuổi hộ nghèo, cận "
            "nghèo. Nộp đơn Mẫu 01 tại UBND xã, trả lời trong 10 ngày làm việc."
        ),
    },
    "BHYT": {
        "sms_steps": (
            "BHYT: đi khám dùng căn cước gắn chip hoặc VNeID mức 2 thay thẻ giấy. Người "
            "hưởng tiền già được cấp thẻ miễn phí. Mức đóng: hỏi cán bộ xã."
        ),
    },
    "TRICHLUC": {
        "sms_steps": (
            "Trích lục (bản sao khai sinh, kết hôn, khai tử): xin tại UBND xã nơi đã đăng "
            "ký. Có thu lệ phí, số tiền hỏi cán bộ xã."
        ),
        "sms_steps_en": (
            "Extract copy (birth, marriage, death): at the commune office where it was "
            "registered. A fee is charged; ask staff for the amount."
        ),
        "steps": [
            ("Đến Ủy ban nhân dân xã nơi trước đây đã đăng ký khai sinh, kết hôn hoặc khai tử."),
            ("Cho cán bộ biết họ tên, ngày sinh và nơi đăng ký của người cần xin bản sao."),
            "Xuất trình thẻ căn cước và nộp lệ phí theo quy định.",
            ("Nếu muốn nộp trực tuyến trên ứng dụng VNeID, hãy hỏi cán bộ xã trước."),
        ],
        "where_note": "Ủy ban nhân dân xã nơi đã đăng ký hộ tịch trước đây.",
    },
    "THUONGTRU": {
        "documents": [
            "Tờ khai thay đổi thông tin cư trú, mẫu CT01",
            (
                "Giấy tờ chứng minh chỗ ở hợp pháp, ví dụ sổ đỏ, hoặc văn bản đồng ý của "
                "chủ hộ, chủ nhà"
            ),
            ("Giấy khai sinh hoặc giấy chứng nhận kết hôn, nếu nhập về ở với người thân"),
        ],
    },
}
