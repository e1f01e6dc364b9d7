"""Demo organizations and people (``flask seed-demo``)."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.accounts.passwords import hash_password
from marketplace.core.db import utcnow

DEMO_PASSWORD = "demo-Marketplace-2026"

#: (kind, name, slug, country, website, verified, [(email, name, role)])
DEMO_ORGANIZATIONS = [
    ("university", "Northbridge University", "northbridge-university", "US", "https://www.northbridge.edu", True,
     [("tto@northbridge.edu", "Maya Chen", "manager"), ("licensing@northbridge.edu", "Daniel Ortiz", "member")]),
    ("university", "Technische Hochschule Rheinland", "th-rheinland", "DE", "https://www.th-rheinland.de", True,
     [("transfer@th-rheinland.de", "Jonas Weber", "manager")]),
    ("university", "University of Lisbon Applied Sciences", "lisbon-applied-sciences", "PT",
     "https://www.ulas.pt", True, [("ip@ulas.pt", "Inês Carvalho", "manager")]),
    ("university", "Kyoto Institute of Materials", "kyoto-institute-of-materials", "JP", "https://www.kim.ac.jp",
     True, [("tlo@kim.ac.jp", "Haruto Sato", "manager")]),
    ("university", "Cascadia State University", "cascadia-state-university", "US", "https://www.cascadia.edu",
     False, [("tech@cascadia.edu", "Priya Nair", "manager")]),
    ("university", "Đại học Quốc gia Hà Nội", "dai-hoc-quoc-gia-ha-noi", "VN", "https://www.vnu.edu.vn", True,
     [("chuyengiao@vnu.edu.vn", "Nguyễn Thị Lan", "manager"), ("sohuutritue@vnu.edu.vn", "Đỗ Quang Huy", "member")]),
    ("university", "Đại học Bách khoa Hà Nội", "dai-hoc-bach-khoa-ha-noi", "VN", "https://www.hust.edu.vn", True,
     [("chuyengiao@hust.edu.vn", "Trần Văn Minh", "manager")]),
    ("university", "Trường Đại học Cần Thơ", "truong-dai-hoc-can-tho", "VN", "https://www.ctu.edu.vn", True,
     [("khcn@ctu.edu.vn", "Lê Hoàng Phúc", "manager")]),
    ("company", "Công ty Cổ phần Nông nghiệp Mekong Xanh", "mekong-xanh", "VN", "https://mekongxanh.vn", True,
     [("kinhdoanh@mekongxanh.vn", "Phạm Minh Anh", "manager")]),
    ("company", "Helix Biologics", "helix-biologics", "US", "https://www.helixbio.com", True,
     [("bd@helixbio.com", "Sam Rivera", "manager"), ("scout@helixbio.com", "Lena Fischer", "member")]),
    ("company", "Voltaic Materials GmbH", "voltaic-materials", "DE", "https://www.voltaic.de", True,
     [("licensing@voltaic.de", "Klaus Brandt", "manager")]),
    ("company", "AgriSense Ltd", "agrisense", "GB", "https://www.agrisense.co.uk", False,
     [("innovation@agrisense.co.uk", "Olivia Hughes", "manager")]),
    ("startup", "QuantaLeaf", "quantaleaf", "NL", "https://quantaleaf.io", True,
     [("founder@quantaleaf.io", "Ruben de Vries", "manager")]),
    ("startup", "NeuroLoop Labs", "neuroloop-labs", "US", "https://neuroloop.dev", True,
     [("ceo@neuroloop.dev", "Aisha Bello", "manager")]),
    ("incubator", "Harbor Deep Tech Incubator", "harbor-deep-tech", "US", "https://harbor-incubator.org", True,
     [("programs@harbor-incubator.org", "Grace Kim", "manager"), ("mentor@harbor-incubator.org", "Tom Alvarez", "member")]),
]

DEMO_ADMIN = ("admin@demo.marketplace", "Demo Administrator")


def seed_accounts(session) -> None:
    """Create the demo organizations, their people and an admin, unless they exist."""
    password_hash = hash_password(DEMO_PASSWORD)
    existing = set(session.execute(sa.select(Organization.slug)).scalars())
    for kind, name, slug, country, website, verified, people in DEMO_ORGANIZATIONS:
        if slug in existing:
            continue
        org = Organization(
            kind=kind,
            name=name,
            slug=slug,
            country=country,
            website=website,
            verification_status="verified" if verified else "pending",
            verified_at=utcnow() if verified else None,
        )
        session.add(org)
        for email, person, role in people:
            session.add(User(email=email, name=person, role=role, organization=org, password_hash=password_hash))
    if session.execute(sa.select(User.id).where(User.email == DEMO_ADMIN[0])).first() is None:
        session.add(User(email=DEMO_ADMIN[0], name=DEMO_ADMIN[1], is_admin=True, password_hash=password_hash))
    session.flush()
