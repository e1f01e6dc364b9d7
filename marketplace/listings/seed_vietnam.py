"""Demo listings of Vietnamese universities, written in Vietnamese (``flask seed-demo``), taken
through the same workflow as the rest of the demo catalogue."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.core.db import utcnow
from marketplace.ip.services import create_asset
from marketplace.listings import transitions
from marketplace.listings.models import Listing
from marketplace.listings.services import create_listing

EXPRESS_TERMS_VI = (
    "Giấy phép không độc quyền, không chuyển nhượng, cho phép sản xuất, sử dụng và bán sản phẩm trong các "
    "lĩnh vực và lãnh thổ được cấp phép trong thời hạn giấy phép. Không được cấp phép lại. Không phải trả "
    "phí bản quyền sau khoản phí một lần. Nhà trường không bảo đảm hiệu lực hay việc không xâm phạm quyền."
)

#: one dict per listing: university slug, listing fields, its IP assets, days since publication
LISTINGS: list[dict] = [
    {
        "university": "dai-hoc-quoc-gia-ha-noi",
        "days_ago": 40,
        "title": "Chế phẩm vi sinh xử lý nước ao nuôi tôm",
        "summary": "Tổ hợp chủng vi khuẩn bản địa phân hủy khí độc NH3 và H2S trong ao nuôi tôm, giảm thay nước "
                   "và hạn chế dịch bệnh.",
        "description": "Bối cảnh\nNgười nuôi tôm ở Đồng bằng sông Cửu Long mất nhiều vụ vì khí độc tích tụ ở đáy ao.\n\n"
                       "Giải pháp\nChế phẩm gồm ba chủng Bacillus phân lập từ ao nuôi trong nước, sống được ở độ mặn "
                       "5–25‰. Thử nghiệm trên 12 ao tại Bạc Liêu giảm 60% NH3 sau 10 ngày và giảm một nửa lượng "
                       "nước phải thay.\n\nHợp tác\nNhà trường tìm doanh nghiệp sản xuất và phân phối chế phẩm.",
        "fields": ["AG.AQUA", "EV.WATR"],
        "keywords": ["nuôi tôm", "vi sinh", "xử lý nước"],
        "trl": 6,
        "development_stage": "validated",
        "opportunity_types": ["license", "co_development"],
        "assets": [{
            "kind": "patent", "title": "Chế phẩm vi sinh và phương pháp xử lý nước ao nuôi thủy sản",
            "abstract": "Chế phẩm chứa ba chủng Bacillus bản địa và quy trình sử dụng trong ao nuôi nước lợ.",
            "inventors": ["Nguyễn Thị Lan", "Vũ Đức Thắng", "Hoàng Mai Anh"], "jurisdiction": "VN",
            "application_number": "1-2019-04512", "patent_number": "1-0031245",
            "filing_date": date(2019, 7, 15), "grant_date": date(2022, 3, 8), "expiry_date": date(2039, 7, 15),
            "status": "granted",
        }],
        "express_license": {"fields": ["AG.AQUA"], "territories": ["VN", "KH", "TH"], "price_amount": 150_000_000,
                            "currency": "VND", "term_months": 36, "terms": EXPRESS_TERMS_VI},
    },
    {
        "university": "dai-hoc-quoc-gia-ha-noi",
        "days_ago": 95,
        "title": "Băng gạc nano curcumin hỗ trợ lành vết thương",
        "summary": "Băng gạc chứa curcumin dạng nano từ nghệ vàng, giữ ẩm và kháng khuẩn, giúp vết bỏng nông lành "
                   "nhanh hơn.",
        "description": "Bối cảnh\nVết bỏng và vết thương mạn tính cần băng gạc vừa giữ ẩm vừa kháng khuẩn với giá "
                       "phù hợp bệnh viện tuyến tỉnh.\n\nGiải pháp\nCurcumin được bao trong hạt nano chitosan, tan "
                       "tốt trong nước và giải phóng chậm trong 72 giờ. Trên mô hình chuột, vết thương lành nhanh hơn "
                       "30% so với băng thường.\n\nHợp tác\nNhà trường mời doanh nghiệp dược tài trợ thử nghiệm lâm sàng.",
        "fields": ["LS.THER", "CH.NANO"],
        "keywords": ["curcumin", "băng gạc", "nano"],
        "trl": 4,
        "development_stage": "proof_of_concept",
        "opportunity_types": ["sponsored_research", "license"],
        "assets": [{
            "kind": "patent_application", "title": "Băng gạc chứa hạt nano curcumin-chitosan và phương pháp chế tạo",
            "abstract": "Hạt nano curcumin bao chitosan phân tán trên nền gạc cellulose, giải phóng chậm.",
            "inventors": ["Đỗ Quang Huy", "Phan Thu Hà"], "jurisdiction": "VN",
            "application_number": "1-2023-02871", "filing_date": date(2023, 4, 20), "status": "pending",
        }],
    },
    {
        "university": "dai-hoc-bach-khoa-ha-noi",
        "days_ago": 60,
        "title": "Silica nano tinh khiết cao từ vỏ trấu",
        "summary": "Quy trình thu silica nano độ tinh khiết trên 99% từ tro vỏ trấu, làm phụ gia cho cao su, sơn "
                   "và bê tông.",
        "description": "Bối cảnh\nViệt Nam thải ra hàng triệu tấn vỏ trấu mỗi năm, phần lớn bị đốt bỏ.\n\n"
                       "Giải pháp\nQuy trình kết hợp xử lý axit và nung có kiểm soát cho silica vô định hình, kích "
                       "thước hạt 20–50 nm, chi phí thấp hơn 40% so với silica nhập khẩu.\n\n"
                       "Hợp tác\nNhà trường tìm đối tác xây dựng dây chuyền thử nghiệm công suất 1 tấn/ngày.",
        "fields": ["CH.NANO", "EV.RECY"],
        "keywords": ["vỏ trấu", "silica", "phụ gia"],
        "trl": 5,
        "development_stage": "prototype",
        "opportunity_types": ["license", "co_development"],
        "assets": [{
            "kind": "patent", "title": "Phương pháp sản xuất silica nano từ tro vỏ trấu",
            "abstract": "Xử lý axit, nung có kiểm soát và nghiền ướt cho silica vô định hình kích thước nano.",
            "inventors": ["Trần Văn Minh", "Ngô Thị Hồng", "Bùi Xuân Trường"], "jurisdiction": "VN",
            "application_number": "1-2018-03317", "patent_number": "1-0027788",
            "filing_date": date(2018, 8, 2), "grant_date": date(2021, 11, 19), "expiry_date": date(2038, 8, 2),
            "status": "granted",
        }],
    },
    {
        "university": "dai-hoc-bach-khoa-ha-noi",
        "days_ago": 25,
        "title": "Nhận dạng tiếng nói tiếng Việt cho tổng đài tự động",
        "summary": "Mô hình nhận dạng tiếng nói tiếng Việt nhận biết giọng ba miền, chạy trên máy chủ của doanh "
                   "nghiệp, không gửi dữ liệu ra ngoài.",
        "description": "Bối cảnh\nTổng đài chăm sóc khách hàng cần hiểu giọng nói của khách ở mọi vùng miền.\n\n"
                       "Giải pháp\nMô hình được huấn luyện trên 3.000 giờ hội thoại, tỷ lệ lỗi từ 6,8% trên bộ thử "
                       "giọng miền Nam, chạy thời gian thực trên một GPU.\n\n"
                       "Hợp tác\nCấp phép mã nguồn và mô hình; nhóm nghiên cứu hỗ trợ tinh chỉnh theo ngành.",
        "fields": ["IT.AI"],
        "keywords": ["tiếng nói", "tổng đài", "học sâu"],
        "trl": 7,
        "development_stage": "pilot",
        "opportunity_types": ["license", "startup_formation"],
        "assets": [{
            "kind": "software", "title": "Bộ mã nguồn và mô hình nhận dạng tiếng nói tiếng Việt",
            "abstract": "Mô hình âm học và mô hình ngôn ngữ cho tiếng Việt, kèm công cụ tinh chỉnh.",
            "inventors": ["Lương Thế Anh", "Trần Văn Minh"], "status": "pending",
        }],
        "express_license": {"fields": ["IT.AI"], "territories": ["VN"], "price_amount": 250_000_000,
                            "currency": "VND", "term_months": 24, "terms": EXPRESS_TERMS_VI},
    },
    {
        "university": "truong-dai-hoc-can-tho",
        "days_ago": 130,
        "title": "Giống lúa chịu mặn cho Đồng bằng sông Cửu Long",
        "summary": "Giống lúa ngắn ngày chịu được độ mặn 4‰ ở giai đoạn đẻ nhánh, năng suất 6 tấn/ha, gạo dẻo "
                   "thơm.",
        "description": "Bối cảnh\nXâm nhập mặn ngày càng sâu làm mất mùa lúa ở các tỉnh ven biển.\n\n"
                       "Giải pháp\nGiống lúa được lai tạo và khảo nghiệm qua sáu vụ tại Sóc Trăng và Bến Tre, thời "
                       "gian sinh trưởng 95–100 ngày.\n\nHợp tác\nNhà trường cấp quyền sản xuất và kinh doanh "
                       "giống cho công ty giống cây trồng.",
        "fields": ["AG.CROP"],
        "keywords": ["lúa", "chịu mặn", "giống cây trồng"],
        "trl": 8,
        "development_stage": "market_ready",
        "opportunity_types": ["license"],
        "assets": [{
            "kind": "plant_variety", "title": "Giống lúa chịu mặn CT-19",
            "abstract": "Giống lúa thuần chịu mặn, ngắn ngày, được bảo hộ giống cây trồng.",
            "inventors": ["Lê Hoàng Phúc", "Nguyễn Văn Tâm"], "jurisdiction": "VN",
            "application_number": "2020-0145", "filing_date": date(2020, 9, 10), "grant_date": date(2022, 6, 1),
            "status": "granted",
        }],
    },
    {
        "university": "truong-dai-hoc-can-tho",
        "days_ago": 12,
        "title": "Cảm biến đo độ mặn không dây cho ruộng lúa và ao nuôi",
        "summary": "Phao cảm biến dùng pin mặt trời đo độ mặn và nhiệt độ nước, gửi cảnh báo qua điện thoại khi "
                   "nước mặn tràn vào.",
        "description": "Bối cảnh\nNông dân cần biết sớm khi nước mặn vào kênh để đóng cống và ngừng lấy nước.\n\n"
                       "Giải pháp\nPhao cảm biến giá dưới 2 triệu đồng, truyền dữ liệu qua mạng LoRa tới 5 km, hoạt "
                       "động liên tục trong mùa khô.\n\nHợp tác\nNhà trường tìm doanh nghiệp sản xuất thiết bị và "
                       "đối tác triển khai với hợp tác xã.",
        "fields": ["AG.PREC", "EL.SENS"],
        "keywords": ["độ mặn", "cảm biến", "IoT"],
        "trl": 5,
        "development_stage": "prototype",
        "opportunity_types": ["license", "co_development", "sponsored_research"],
        "assets": [{
            "kind": "patent_application", "title": "Thiết bị phao đo độ mặn và hệ thống cảnh báo xâm nhập mặn",
            "abstract": "Phao nổi mang cảm biến độ dẫn điện, bộ xử lý năng lượng thấp và mô-đun LoRa.",
            "inventors": ["Lê Hoàng Phúc", "Huỳnh Thanh Sơn"], "jurisdiction": "VN",
            "application_number": "1-2024-01093", "filing_date": date(2024, 2, 26), "status": "pending",
        }],
    },
]


def seed_vietnamese_listings(session) -> None:
    """Publish the Vietnamese demo listings, skipping those already there (by university and title)."""
    slugs = sorted({spec["university"] for spec in LISTINGS})
    universities = {
        org.slug: org
        for org in session.execute(sa.select(Organization).where(Organization.slug.in_(slugs))).scalars()
        if org.is_verified
    }
    admin = session.execute(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id)).scalars().first()
    if admin is None:
        return
    existing = {tuple(row) for row in session.execute(sa.select(Listing.university_id, Listing.title))}
    for spec in LISTINGS:
        university = universities.get(spec["university"])
        if university is None or (university.id, spec["title"]) in existing:
            continue
        _publish(session, spec, university, admin)
    session.flush()


def _publish(session, spec: dict, university: Organization, admin: User) -> Listing:
    manager = next(m for m in university.members if m.role == "manager" and m.is_active)
    assets = [create_asset(session, manager, dict(asset)) for asset in spec["assets"]]
    data = {key: spec[key] for key in ("title", "summary", "description", "fields", "keywords", "trl",
                                       "development_stage", "opportunity_types")}
    data["asset_ids"] = [asset.id for asset in assets]
    data["express_license"] = spec.get("express_license")
    listing = create_listing(session, manager, data)
    listing.created_at = utcnow() - timedelta(days=spec["days_ago"] + 10)
    transitions.submit(session, manager, listing.id)
    transitions.approve(session, admin, listing.id, tell_managers=False)
    listing.published_at = utcnow() - timedelta(days=spec["days_ago"])
    return listing
