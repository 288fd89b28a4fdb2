"""Reference themes and the demo data behind `flask seed-demo`."""

from datetime import timedelta

from sqlalchemy import select

from learning_platform.accounts.services import create_person, find_person
from learning_platform.audit.services import record
from learning_platform.demo_offerings import DEMO_CITIZENS, seed_offerings
from learning_platform.extensions import db
from learning_platform.models import (
    AuditAction,
    AuditEvent,
    Membership,
    MembershipRole,
    Offering,
    OfferingStatus,
    Partner,
    PartnerKind,
    Theme,
    utcnow,
)
from learning_platform.offerings.services import touch_sessions_of_theme
from learning_platform.pages.services import record_consent

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

#: What each theme is about: (English, Korean, Thai).
THEME_DESCRIPTIONS = {
    "esd": (
        "Education for Sustainable Development helps people of every age understand how the way "
        "we live, work and consume shapes the planet, and gives them the knowledge, skills and "
        "values to change it. Courses here connect the global goals with everyday choices in "
        "our own neighbourhoods.",
        "지속가능발전교육(ESD)은 우리가 살고 일하고 소비하는 방식이 지구에 어떤 영향을 주는지 "
        "이해하고, 이를 바꿀 지식과 역량, 가치를 기르는 교육입니다. 이곳의 강좌는 세계의 목표를 "
        "우리 동네의 일상적인 선택과 이어 줍니다.",
        "การศึกษาเพื่อการพัฒนาที่ยั่งยืนช่วยให้คนทุกวัยเข้าใจว่าวิถีการใช้ชีวิต การทำงาน และการบริโภคของเราส่งผลต่อโลกอย่างไร และมอบความรู้ ทักษะ และคุณค่าที่จะเปลี่ยนแปลงสิ่งเหล่านั้น หลักสูตรในหมวดนี้เชื่อมเป้าหมายระดับโลกเข้ากับการเลือกในชีวิตประจำวันในชุมชนของเราเอง",
    ),
    "lifelong-learning": (
        "Learning does not stop when school ends. Whether you want a new skill for work, a hobby "
        "that brings neighbours together or a second chance at something you missed, lifelong "
        "learning courses are open to adults of every age and background.",
        "배움은 학교를 졸업한다고 끝나지 않습니다. 일에 필요한 새로운 기술, 이웃과 함께하는 취미, "
        "놓쳤던 배움의 두 번째 기회까지, 평생학습 강좌는 나이와 배경에 관계없이 모든 성인에게 "
        "열려 있습니다.",
        "การเรียนรู้ไม่ได้จบลงเมื่อออกจากโรงเรียน ไม่ว่าคุณอยากได้ทักษะใหม่เพื่อการทำงาน งานอดิเรกที่ทำให้เพื่อนบ้านได้พบกัน หรือโอกาสครั้งที่สองในสิ่งที่เคยพลาดไป หลักสูตรการเรียนรู้ตลอดชีวิตเปิดรับผู้ใหญ่ทุกวัยและทุกภูมิหลัง",
    ),
    "future-of-cities": (
        "How should the city of tomorrow look and work? Explore walkable streets, clean air, "
        "green and public spaces for everyone, and how citizens can take part in planning the "
        "places where they live.",
        "내일의 도시는 어떤 모습이어야 할까요? 걷기 좋은 거리, 깨끗한 공기, 모두를 위한 녹지와 "
        "공공 공간을 살펴보고, 시민이 내가 사는 곳의 계획에 어떻게 참여할 수 있는지 함께 "
        "알아봅니다.",
        "เมืองในวันพรุ่งนี้ควรมีหน้าตาและทำงานอย่างไร มาสำรวจถนนที่เดินได้สะดวก อากาศสะอาด พื้นที่สีเขียวและพื้นที่สาธารณะสำหรับทุกคน และวิธีที่ประชาชนจะมีส่วนร่วมวางแผนพื้นที่ที่ตนอาศัยอยู่",
    ),
    "climate-action": (
        "How do we cut emissions at home, at work and across the city, and how do we prepare for "
        "heatwaves, floods and storms? Climate action courses turn the science into practical "
        "steps you can take with your neighbours.",
        "집과 일터, 도시 전체에서 온실가스를 어떻게 줄이고, 폭염과 홍수, 태풍에는 어떻게 "
        "대비할까요? 기후행동 강좌는 과학을 이웃과 함께 실천할 수 있는 구체적인 행동으로 바꿔 "
        "줍니다.",
        "เราจะลดการปล่อยก๊าซเรือนกระจกที่บ้าน ที่ทำงาน และทั่วทั้งเมืองได้อย่างไร และจะเตรียมรับมือคลื่นความร้อน น้ำท่วม และพายุอย่างไร หลักสูตรด้านการรับมือการเปลี่ยนแปลงสภาพภูมิอากาศเปลี่ยนความรู้ทางวิทยาศาสตร์ให้เป็นก้าวที่ลงมือทำได้จริงร่วมกับเพื่อนบ้าน",
    ),
    "biodiversity": (
        "From the tidal flats of Masan Bay to the trees along our streets, living things share "
        "the city with us. Learn to recognise local species, understand why habitats disappear "
        "and join the people who protect them.",
        "마산만 갯벌에서 가로수까지, 도시는 수많은 생명과 함께하는 곳입니다. 우리 지역의 생물을 "
        "알아보고, 서식지가 왜 사라지는지 이해하며, 이를 지키는 사람들과 함께해 보세요.",
        "ตั้งแต่หาดเลนของอ่าวมาซานไปจนถึงต้นไม้ริมถนน สิ่งมีชีวิตมากมายอยู่ร่วมเมืองกับเรา มาเรียนรู้ที่จะรู้จักสิ่งมีชีวิตในท้องถิ่น เข้าใจว่าเหตุใดถิ่นที่อยู่อาศัยจึงหายไป และร่วมมือกับผู้คนที่ปกป้องมัน",
    ),
    "resource-efficiency": (
        "Use less, waste less, repair and share more. These courses cover recycling that works, "
        "repair cafés, food waste and the circular economy, with ideas you can try the same day.",
        "덜 쓰고, 덜 버리고, 더 고쳐 쓰고 나눠 쓰기. 제대로 된 분리배출, 수리 카페, 음식물 "
        "쓰레기 줄이기와 순환경제를 다루며, 오늘부터 해 볼 수 있는 방법을 나눕니다.",
        "ใช้ให้น้อยลง ทิ้งให้น้อยลง ซ่อมและแบ่งปันให้มากขึ้น หลักสูตรเหล่านี้ครอบคลุมการคัดแยกขยะที่ได้ผล ร้านซ่อมชุมชน ขยะอาหาร และเศรษฐกิจหมุนเวียน พร้อมแนวคิดที่ลองทำได้ในวันเดียวกัน",
    ),
    "inclusion": (
        "A sustainable city leaves no one behind. Learn with and about people of different ages, "
        "abilities, languages and origins, and find out how to make learning, work and public "
        "life open to all.",
        "지속가능한 도시는 누구도 소외시키지 않습니다. 나이와 장애, 언어와 출신이 다른 사람들과 "
        "함께 배우고, 배움과 일, 공공의 삶을 모두에게 열린 것으로 만드는 방법을 찾아봅니다.",
        "เมืองที่ยั่งยืนไม่ทิ้งใครไว้ข้างหลัง มาเรียนรู้ร่วมกับและเกี่ยวกับผู้คนต่างวัย ต่างความสามารถ ต่างภาษาและต่างที่มา และค้นหาวิธีทำให้การเรียนรู้ การทำงาน และชีวิตสาธารณะเปิดกว้างสำหรับทุกคน",
    ),
    "digital-media-literacy": (
        "Find your way online with confidence: use digital public services, protect your "
        "privacy, recognise misinformation and create media of your own. Beginners are welcome.",
        "온라인 세상을 자신 있게 다니는 법을 배웁니다. 디지털 공공서비스 이용, 개인정보 보호, "
        "허위정보 가려내기, 나만의 미디어 만들기까지, 처음 시작하는 분도 환영합니다.",
        "ใช้โลกออนไลน์ได้อย่างมั่นใจ ทั้งการใช้บริการภาครัฐดิจิทัล การปกป้องข้อมูลส่วนตัว การรู้เท่าทันข้อมูลเท็จ และการสร้างสื่อของตัวเอง ผู้เริ่มต้นยินดีต้อนรับ",
    ),
    "global-citizenship": (
        "Global challenges start and end in local communities. Global citizenship education "
        "explores human rights, peace and cultural diversity, and how each of us can take part "
        "in the decisions that shape a fairer world.",
        "세계의 문제는 지역 공동체에서 시작되고 해결됩니다. 세계시민교육은 인권과 평화, 문화 "
        "다양성을 탐구하고, 더 공정한 세상을 만드는 결정에 우리 각자가 어떻게 참여할 수 있는지 "
        "함께 생각합니다.",
        "ความท้าทายระดับโลกเริ่มต้นและคลี่คลายในชุมชนท้องถิ่น การศึกษาเพื่อความเป็นพลเมืองโลกสำรวจสิทธิมนุษยชน สันติภาพ และความหลากหลายทางวัฒนธรรม และวิธีที่เราแต่ละคนจะมีส่วนร่วมในการตัดสินใจเพื่อสร้างโลกที่เป็นธรรมยิ่งขึ้น",
    ),
}

_CITY = {
    "Changwon": {"ko": "창원", "en": "Changwon", "th": "ชางวอน"},
    "Seoul": {"ko": "서울", "en": "Seoul", "th": "โซล"},
    "Bangkok": {"ko": "방콕", "en": "Bangkok", "th": "กรุงเทพฯ"},
}

#: Each partner's texts {language: (name, description)}, its primary language first.
PARTNERS = [
    {
        "slug": "unesco-bangkok",
        "kind": PartnerKind.UN_AGENCY,
        "city": "Bangkok",
        "timezone": "Asia/Bangkok",
        "website": "https://www.unesco.org/en/fieldoffice/bangkok",
        "texts": {
            "en": (
                "UNESCO Bangkok",
                "UNESCO's Asia and Pacific Regional Bureau for Education leads the regional "
                "programme on education and the future of cities in Asia-Pacific.",
            ),
            "th": (
                "ยูเนสโก กรุงเทพฯ",
                "สำนักงานยูเนสโกประจำภูมิภาคเอเชียและแปซิฟิกด้านการศึกษา "
                "เป็นผู้นำแผนงานระดับภูมิภาคด้านการศึกษาและอนาคตของเมืองในเอเชียและแปซิฟิก",
            ),
            "ko": (
                "유네스코 방콕",
                "유네스코 아시아태평양 지역 교육국은 아시아태평양 지역의 교육과 미래 도시 "
                "프로그램을 이끌고 있습니다.",
            ),
        },
    },
    {
        "slug": "changwon-city",
        "kind": PartnerKind.CITY,
        "city": "Changwon",
        "timezone": "Asia/Seoul",
        "website": "https://www.changwon.go.kr",
        "texts": {
            "ko": (
                "창원특례시",
                "창원특례시는 14개 국제기구와 함께 지구의 지속가능성을 위한 지역 실천을 이어가고 "
                "있습니다. 시민 누구나 참여할 수 있는 지속가능발전교육과 평생학습 강좌를 엽니다.",
            ),
            "en": (
                "Changwon City",
                "Changwon works with 14 international organisations on local action for global "
                "sustainability, and opens courses on sustainable development and lifelong "
                "learning to every resident.",
            ),
            "th": (
                "เมืองชางวอน",
                "เมืองชางวอนร่วมมือกับองค์การระหว่างประเทศ 14 แห่งในการลงมือทำระดับท้องถิ่น"
                "เพื่อความยั่งยืนของโลก และเปิดหลักสูตรการศึกษาเพื่อการพัฒนาที่ยั่งยืน"
                "และการเรียนรู้ตลอดชีวิตให้ประชาชนทุกคน",
            ),
        },
    },
    {
        "slug": "kncu",
        "kind": PartnerKind.NATIONAL_COMMISSION,
        "city": "Seoul",
        "timezone": "Asia/Seoul",
        "website": "https://www.unesco.or.kr",
        "texts": {
            "ko": (
                "유네스코한국위원회",
                "유네스코한국위원회는 세계시민교육과 지속가능발전교육을 국내에 확산하고 있습니다.",
            ),
            "en": (
                "Korean National Commission for UNESCO",
                "The Korean National Commission for UNESCO brings global citizenship education "
                "and education for sustainable development to learners across Korea.",
            ),
            "th": (
                "คณะกรรมการแห่งชาติเกาหลีว่าด้วยยูเนสโก",
                "คณะกรรมการแห่งชาติเกาหลีว่าด้วยยูเนสโกเผยแพร่การศึกษาเพื่อความเป็นพลเมืองโลก"
                "และการศึกษาเพื่อการพัฒนาที่ยั่งยืนให้ผู้เรียนทั่วเกาหลี",
            ),
        },
    },
    {
        "slug": "changwon-national-university",
        "kind": PartnerKind.UNIVERSITY,
        "city": "Changwon",
        "timezone": "Asia/Seoul",
        "website": "https://www.changwon.ac.kr",
        "texts": {
            "ko": (
                "국립창원대학교",
                "국립창원대학교 평생교육원은 지역 주민을 위한 디지털 역량과 기후 교육 과정을 "
                "운영합니다.",
            ),
            "en": (
                "Changwon National University",
                "The university's lifelong education institute runs digital-skills and climate "
                "courses for local residents.",
            ),
            "th": (
                "มหาวิทยาลัยแห่งชาติชางวอน",
                "สถาบันการศึกษาตลอดชีวิตของมหาวิทยาลัยจัดหลักสูตรทักษะดิจิทัลและการรับมือ"
                "การเปลี่ยนแปลงสภาพภูมิอากาศสำหรับคนในท้องถิ่น",
            ),
        },
    },
]

#: Proposed by the demo citizen and waiting for the demo admin's approval.
PENDING_PARTNER = {
    "slug": "masan-bay-citizens",
    "kind": PartnerKind.NGO,
    "city": "Changwon",
    "timezone": "Asia/Seoul",
    "website": "",
    "texts": {
        "ko": (
            "마산만 시민모임",
            "마산만의 갯벌과 생태를 지키는 시민 모임입니다. 해안 정화와 생태 탐방을 함께합니다.",
        ),
        "en": (
            "Masan Bay Citizens' Network",
            "Citizens caring for the tidal flats and wildlife of Masan Bay, with shore clean-ups "
            "and nature walks.",
        ),
    },
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
        theme.description_en, theme.description_ko, theme.description_th = THEME_DESCRIPTIONS.get(
            slug, ("", "", "")
        )
        theme.sdg_targets = targets
        theme.position = position
        if renamed:
            touch_sessions_of_theme(theme)
    db.session.flush()
    return created


def _partner(data: dict, *, approved: bool) -> Partner:
    """The demo partner `data` describes: created if missing; a partner seeded before gets
    the languages it is not written in yet (its own texts stay as they are)."""
    partner = db.session.scalar(select(Partner).where(Partner.slug == data["slug"]))
    if partner is None:
        fields = {k: v for k, v in data.items() if k not in ("texts", "city")}
        partner = Partner(
            approved=approved,
            primary_language=next(iter(data["texts"])),
            **{**fields, "kind": data["kind"].value},
        )
        db.session.add(partner)
    written = partner.written_in() if partner.id is not None else []
    for language, (name, description) in data["texts"].items():
        if language not in written:
            city = _CITY[data["city"]][language]
            partner.set_texts(language, {"name": name, "description": description, "city": city})
    if not partner.text("city", partner.primary_language):  # seeded before partners had one
        city = _CITY[data["city"]]
        partner.set_text("city", partner.primary_language, city.get(partner.primary_language, ""))
    db.session.flush()
    return partner


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo partners, themes and logins if missing; returns (email, role) rows."""
    seed_themes()
    partners = {data["slug"]: _partner(data, approved=True) for data in PARTNERS}
    rows = []
    for email, name, language, admin, partner_slug in LOGINS:
        person = find_person(email)
        if person is None:
            person = create_person(
                email, name, DEMO_PASSWORD, language, verified=True, is_admin=admin
            )
            record_consent(person)  # as the sign-up form does
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
    new = db.session.scalar(select(Partner).where(Partner.slug == PENDING_PARTNER["slug"])) is None
    pending = _partner(PENDING_PARTNER, approved=False)
    if new:
        db.session.add(
            Membership(person=citizen, partner=pending, role=MembershipRole.MANAGER.value)
        )
    if not pending.approved and pending.proposed_by_id is None:
        pending.proposed_by_id = citizen.id  # the admins' list says who proposed it
    db.session.flush()
    offerings = seed_offerings(DEMO_PASSWORD, citizen)
    seed_audit_trail()
    rows.append((f"{offerings} new offerings", f"and {DEMO_CITIZENS} learners filling their seats"))
    return rows


def seed_audit_trail() -> None:
    """A few entries so the audit trail is not empty: the admin approving Changwon, its
    manager publishing, raising a capacity and cancelling the demo's cancelled course."""
    if db.session.scalar(select(AuditEvent.id).limit(1)) is not None:
        return
    admin, manager, unesco = (
        find_person(email)
        for email in ("admin@example.org", "changwon@example.org", "unesco@example.org")
    )
    changwon = db.session.scalar(select(Partner).where(Partner.slug == "changwon-city"))
    mine = list(
        db.session.scalars(
            select(Offering).where(Offering.partner_id == changwon.id).order_by(Offering.id)
        )
    )
    published = [o for o in mine if o.status == OfferingStatus.PUBLISHED]
    cancelled = next((o for o in mine if o.status == OfferingStatus.CANCELLED), None)
    now = utcnow()
    entries = [
        (
            9,
            record(
                AuditAction.PARTNER_APPROVED,
                changwon,
                actor=admin,
                changes={"approved": [False, True]},
            ),
        ),
    ]
    if published:
        entries.append(
            (
                6,
                record(
                    AuditAction.OFFERING_PUBLISHED,
                    published[0],
                    actor=manager,
                    changes={"status": ["draft", "published"]},
                ),
            )
        )
        entries.append(
            (
                3,
                record(
                    AuditAction.OFFERING_EDITED,
                    published[0],
                    actor=manager,
                    changes={"capacity": [published[0].capacity - 10, published[0].capacity]},
                ),
            )
        )
    if cancelled is not None:
        entries.append(
            (
                1,
                record(
                    AuditAction.OFFERING_CANCELLED,
                    cancelled,
                    actor=manager,
                    changes={"status": ["published", "cancelled"]},
                    note=cancelled.cancel_reason,
                ),
            )
        )
    bangkok = db.session.scalar(
        select(Offering).where(Offering.partner.has(slug="unesco-bangkok")).limit(1)
    )
    if bangkok is not None:
        entries.append(
            (
                2,
                record(
                    AuditAction.OFFERING_PUBLISHED,
                    bangkok,
                    actor=unesco,
                    changes={"status": ["draft", "published"]},
                ),
            )
        )
    for days, event in entries:
        event.at = now - timedelta(days=days, hours=days % 5)
    db.session.flush()
