"""Reference themes and the demo data behind `flask seed-demo`."""

from sqlalchemy import select, update

from learning_platform.accounts.services import create_person, find_person
from learning_platform.demo_offerings import DEMO_CITIZENS, seed_offerings
from learning_platform.extensions import db
from learning_platform.models import (
    Membership,
    MembershipRole,
    OfferingSession,
    Partner,
    PartnerKind,
    Theme,
    utcnow,
)
from learning_platform.models.offering import offering_theme

#: Shared by every demo login; never created outside development and testing.
DEMO_PASSWORD = "learn-together-2026"

THEMES = [
    (
        "esd",
        "Education for Sustainable Development",
        "지속가능발전교육",
        "การศึกษาเพื่อการพัฒนาที่ยั่งยืน",
        ["4.7"],
    ),
    (
        "lifelong-learning",
        "Lifelong learning",
        "평생학습",
        "การเรียนรู้ตลอดชีวิต",
        ["4.3", "4.4", "4.6"],
    ),
    (
        "future-of-cities",
        "The future of cities",
        "미래 도시",
        "อนาคตของเมือง",
        ["11.3", "11.6", "11.7"],
    ),
    (
        "climate-action",
        "Climate action",
        "기후행동",
        "การรับมือการเปลี่ยนแปลงสภาพภูมิอากาศ",
        ["13.1", "13.3"],
    ),
    (
        "biodiversity",
        "Biodiversity",
        "생물다양성",
        "ความหลากหลายทางชีวภาพ",
        ["14.2", "15.5", "15.9"],
    ),
    (
        "resource-efficiency",
        "Resource efficiency",
        "자원순환과 효율",
        "การใช้ทรัพยากรอย่างมีประสิทธิภาพ",
        ["12.2", "12.5"],
    ),
    ("inclusion", "Inclusion", "포용과 평등", "ความเท่าเทียมและการมีส่วนร่วม", ["4.5", "10.2"]),
    (
        "digital-media-literacy",
        "Digital and media literacy",
        "디지털·미디어 리터러시",
        "การรู้เท่าทันดิจิทัลและสื่อ",
        ["4.4"],
    ),
    (
        "global-citizenship",
        "Global citizenship",
        "세계시민교육",
        "การเป็นพลเมืองโลก",
        ["4.7", "16.7"],
    ),
]

PARTNERS = [
    {
        "slug": "unesco-bangkok",
        "name": "UNESCO Bangkok 유네스코 방콕",
        "kind": PartnerKind.UN_AGENCY,
        "timezone": "Asia/Bangkok",
        "website": "https://www.unesco.org/en/fieldoffice/bangkok",
        "description": (
            "UNESCO Asia and Pacific Regional Bureau for Education leads the regional programme "
            "on education and the future of cities in Asia-Pacific.\n\n"
            "유네스코 아시아태평양 지역 교육국은 아시아태평양 지역의 교육과 미래 도시 프로그램을 이끌고 있습니다."
        ),
    },
    {
        "slug": "changwon-city",
        "name": "Changwon City 창원특례시",
        "kind": PartnerKind.CITY,
        "timezone": "Asia/Seoul",
        "website": "https://www.changwon.go.kr",
        "description": (
            "창원특례시는 14개 국제기구와 함께 지구의 지속가능성을 위한 지역 실천을 이어가고 있습니다. "
            "시민 누구나 참여할 수 있는 지속가능발전교육과 평생학습 강좌를 엽니다.\n\n"
            "Changwon works with 14 international organisations on local action for global "
            "sustainability, and opens ESD and lifelong-learning courses to every citizen."
        ),
    },
    {
        "slug": "kncu",
        "name": "Korean National Commission for UNESCO 유네스코한국위원회",
        "kind": PartnerKind.NATIONAL_COMMISSION,
        "timezone": "Asia/Seoul",
        "website": "https://www.unesco.or.kr",
        "description": (
            "유네스코한국위원회는 세계시민교육과 지속가능발전교육을 국내에 확산하고 있습니다.\n\n"
            "KNCU brings global citizenship education and ESD to learners across Korea."
        ),
    },
    {
        "slug": "changwon-national-university",
        "name": "Changwon National University 국립창원대학교",
        "kind": PartnerKind.UNIVERSITY,
        "timezone": "Asia/Seoul",
        "website": "https://www.changwon.ac.kr",
        "description": (
            "국립창원대학교 평생교육원은 지역 주민을 위한 디지털 역량과 기후 교육 과정을 운영합니다.\n\n"
            "The university's lifelong education institute runs digital-skills and climate courses for residents."
        ),
    },
]

#: Proposed by the demo citizen and waiting for the demo admin's approval.
PENDING_PARTNER = {
    "slug": "masan-bay-citizens",
    "name": "Masan Bay Citizens' Network 마산만 시민모임",
    "kind": PartnerKind.NGO,
    "timezone": "Asia/Seoul",
    "website": "",
    "description": (
        "마산만의 갯벌과 생태를 지키는 시민 모임입니다. 해안 정화와 생태 탐방을 함께합니다.\n\n"
        "Citizens caring for the tidal flats and wildlife of Masan Bay."
    ),
}

#: (email, display name, language, admin, partner slug of their membership)
LOGINS = [
    ("admin@example.org", "Site Admin", "en", True, None),
    ("changwon@example.org", "김서연 (창원시 평생학습과)", "ko", False, "changwon-city"),
    ("unesco@example.org", "Malee Srisuk (UNESCO Bangkok)", "en", False, "unesco-bangkok"),
    ("kncu@example.org", "박지훈 (유네스코한국위원회)", "ko", False, "kncu"),
    ("cnu@example.org", "이하늘 (국립창원대)", "ko", False, "changwon-national-university"),
    ("citizen@example.org", "정민준", "ko", False, None),
]


def seed_themes() -> int:
    """Create or update the reference themes; returns how many were new."""
    existing = {theme.slug: theme for theme in db.session.scalars(select(Theme))}
    created = 0
    for position, (slug, name_en, name_ko, name_th, targets) in enumerate(THEMES):
        theme = existing.get(slug)
        if theme is None:
            theme = Theme(slug=slug)
            db.session.add(theme)
            created += 1
        renamed = theme.id is not None and (theme.name_en, theme.name_ko, theme.name_th) != (
            name_en,
            name_ko,
            name_th,
        )
        theme.name_en, theme.name_ko, theme.name_th = name_en, name_ko, name_th
        theme.sdg_targets = targets
        theme.position = position
        if renamed:
            _touch_sessions_of(theme)
    db.session.flush()
    return created


def _touch_sessions_of(theme: Theme) -> None:
    """Theme names are calendar categories: feeds must see a rename as a change."""
    offerings = select(offering_theme.c.offering_id).where(offering_theme.c.theme_id == theme.id)
    db.session.execute(
        update(OfferingSession)
        .where(OfferingSession.offering_id.in_(offerings))
        .values(sequence=OfferingSession.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _partner(data: dict, *, approved: bool) -> Partner:
    partner = db.session.scalar(select(Partner).where(Partner.slug == data["slug"]))
    if partner is None:
        partner = Partner(approved=approved, **{**data, "kind": data["kind"].value})
        db.session.add(partner)
        db.session.flush()
    return partner


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo partners, themes and logins if missing; returns (email, role) rows."""
    seed_themes()
    partners = {data["slug"]: _partner(data, approved=True) for data in PARTNERS}
    rows = []
    for email, name, language, admin, partner_slug in LOGINS:
        person = find_person(email) or create_person(
            email, name, DEMO_PASSWORD, language, verified=True, is_admin=admin
        )
        if partner_slug and not any(m.partner.slug == partner_slug for m in person.memberships):
            db.session.add(
                Membership(
                    person=person,
                    partner=partners[partner_slug],
                    role=MembershipRole.MANAGER.value,
                )
            )
        role = "admin" if admin else (f"manager, {partner_slug}" if partner_slug else "citizen")
        rows.append((email, role))
    citizen = find_person("citizen@example.org")
    pending = db.session.scalar(select(Partner).where(Partner.slug == PENDING_PARTNER["slug"]))
    if pending is None:
        pending = _partner(PENDING_PARTNER, approved=False)
        db.session.add(
            Membership(person=citizen, partner=pending, role=MembershipRole.MANAGER.value)
        )
    db.session.flush()
    offerings = seed_offerings(DEMO_PASSWORD)
    rows.append((f"{offerings} new offerings", f"and {DEMO_CITIZENS} learners filling their seats"))
    return rows
