"""About twenty realistic demo offerings, scheduled relative to the day they are loaded."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from learning_platform.extensions import db
from learning_platform.models import (
    Answer,
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Partner,
    Person,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Theme,
    utcnow,
)
from learning_platform.security import hash_password
from learning_platform.timezones import to_utc

#: Each: partner, kind, title, summary, themes, language, format, capacity, schedule
#: (first day offset, weekdays, start, hours, weeks), registrations (confirmed, waitlisted),
#: and optional status / co-hosts / venue / link / description.
OFFERINGS = [
    dict(
        partner="changwon-city",
        kind="course",
        language="ko-en",
        format="in_person",
        title="기후행동 시민학교 · Climate Action Citizens' School",
        summary="창원의 탄소중립 계획을 함께 읽고, 우리 동네 실천 계획을 세우는 10주 과정입니다. A 10-week course on Changwon's carbon-neutral plan and your own neighbourhood action.",
        themes=["climate-action", "esd", "future-of-cities"],
        capacity=30,
        schedule=(12, [1, 3], time(19, 0), 2, 10),
        registrations=(30, 6),
        venue=("창원시 평생학습관 3층 강의실", "창원시 의창구 중앙대로 151"),
        description="## 이런 내용을 배웁니다\n\n- 기후위기의 과학과 지역의 영향\n- 창원시 2050 탄소중립 계획 읽기\n- 우리 동네 실천 계획 만들기\n\n## What you will learn\n\n- The science of the climate crisis and its local effects\n- Reading Changwon's 2050 carbon-neutral plan\n- Designing an action plan for your neighbourhood",
        citizen=RegistrationStatus.WAITLISTED,
        questions=[
            dict(
                kind=QuestionKind.YES_NO,
                required=True,
                text={
                    "ko": "휠체어 등 단차 없는 이동이 필요하신가요?",
                    "en": "Do you need step-free access?",
                },
            ),
            dict(
                kind=QuestionKind.SINGLE_CHOICE,
                required=False,
                text={"ko": "어떻게 오시나요?", "en": "How will you get here?"},
                choices=[
                    {"ko": "대중교통", "en": "Public transport"},
                    {"ko": "자전거·도보", "en": "Bicycle or on foot"},
                    {"ko": "자동차", "en": "Car"},
                ],
            ),
        ],
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        title="도시 텃밭 가꾸기 첫걸음",
        summary="베란다와 옥상에서 시작하는 도시 텃밭. 흙 만들기부터 모종 심기까지 직접 해 봅니다.",
        themes=["biodiversity", "lifelong-learning"],
        capacity=20,
        schedule=(5, [5], time(10, 0), 3, 1),
        registrations=(20, 3),
        venue=("용지호수공원 시민텃밭", "창원시 성산구 용지동"),
        description="## 이런 내용을 배웁니다\n\n- 베란다 화분과 옥상 텃밭 흙 만들기\n- 제철 모종 고르고 심기\n- 물 주기와 벌레 걱정 없는 돌보기\n\n## In English\n\nUrban gardening for beginners: start a small vegetable garden on your balcony or rooftop. Bring gloves; seedlings and soil are provided by Yongji Lake Park's community gardens.",
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="hybrid",
        title="어르신 디지털 배움교실: 스마트폰으로 여는 세상",
        summary="스마트폰 기초, 키오스크 주문, 사기 문자 구별하기를 천천히 함께 익힙니다.",
        themes=["digital-media-literacy", "inclusion", "lifelong-learning"],
        capacity=25,
        schedule=(8, [0, 2], time(14, 0), 2, 6),
        registrations=(17, 0),
        venue=("마산합포구 노인복지관", "창원시 마산합포구 3·15대로"),
        link="https://meet.example.org/changwon-digital",
    ),
    dict(
        partner="changwon-city",
        kind="event",
        language="ko-en",
        format="in_person",
        title="창원 업사이클링 장터 · Changwon Upcycling Fair",
        summary="버려질 물건이 새 쓰임을 찾는 하루. Repair café, swap corner and upcycling workshops for all ages.",
        themes=["resource-efficiency", "climate-action"],
        capacity=300,
        schedule=(19, [5], time(11, 0), 5, 1),
        registrations=(112, 0),
        venue=("창원컨벤션센터 야외광장", "창원시 의창구 원이대로 362"),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        title="제로웨이스트 부엌 워크숍",
        summary="장보기부터 음식물 쓰레기 줄이기까지, 부엌에서 시작하는 자원순환.",
        themes=["resource-efficiency"],
        capacity=16,
        schedule=(-20, [3], time(19, 0), 2, 1),
        registrations=(16, 0),
        venue=("창원시 평생학습관 요리실", "창원시 의창구 중앙대로 151"),
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="in_person",
        title="마산만 생태 해설가 양성 과정",
        summary="마산만의 갯벌과 철새를 시민에게 안내하는 생태 해설가가 되어 보세요.",
        themes=["biodiversity", "esd"],
        capacity=20,
        schedule=(15, [5], time(9, 30), 3, 8),
        registrations=(3, 0),
        status=OfferingStatus.CANCELLED,
        venue=("마산만 봉암갯벌 생태학습장", "창원시 마산회원구 봉암동"),
        cancel_reason=(
            "봉암갯벌 생태학습장 보수 공사로 올해 과정은 열지 않습니다. 내년 봄에 다시 모집합니다."
        ),
    ),
    dict(
        partner="unesco-bangkok",
        kind="course",
        language="en",
        format="online",
        title="ESD for Teachers in Asia-Pacific: Whole-Institution Approaches",
        summary="A six-week online course for teachers and school leaders on bringing ESD into the whole life of a school.",
        themes=["esd", "global-citizenship"],
        capacity=200,
        schedule=(9, [2], time(15, 0), 2, 6),
        registrations=(188, 0),
        link="https://meet.example.org/unesco-esd-teachers",
    ),
    dict(
        partner="unesco-bangkok",
        kind="workshop",
        language="en",
        format="online",
        title="Learning Cities Webinar: Measuring Lifelong Learning",
        summary="How cities in the region measure participation in lifelong learning, with speakers from Changwon and Bangkok.",
        themes=["lifelong-learning", "future-of-cities"],
        capacity=500,
        schedule=(4, [3], time(14, 0), 1.5, 1),
        registrations=(241, 0),
        link="https://meet.example.org/learning-cities",
    ),
    dict(
        partner="unesco-bangkok",
        kind="workshop",
        language="th",
        format="in_person",
        title="การรู้เท่าทันสื่อสำหรับเยาวชน · Media Literacy for Youth",
        summary="เวิร์กช็อปสำหรับเยาวชนเรื่องการตรวจสอบข่าวปลอมและการใช้สื่ออย่างรับผิดชอบ",
        themes=["digital-media-literacy", "global-citizenship"],
        capacity=40,
        schedule=(11, [5], time(9, 0), 6, 1),
        registrations=(40, 12),
        venue=(
            "UNESCO Bangkok, Mom Luang Pin Malakul Centenary Building",
            "920 Sukhumvit Road, Bangkok",
        ),
    ),
    dict(
        partner="unesco-bangkok",
        kind="course",
        language="en",
        format="hybrid",
        title="Education and the Future of Cities in Asia-Pacific",
        summary="A regional course on how education shapes liveable, inclusive and green cities.",
        themes=["future-of-cities", "esd", "inclusion"],
        capacity=60,
        schedule=(16, [1], time(16, 0), 2, 4),
        registrations=(35, 0),
        venue=("UNESCO Bangkok", "920 Sukhumvit Road, Bangkok"),
        link="https://meet.example.org/future-of-cities",
        cohosts=["changwon-city", "kncu"],
    ),
    dict(
        partner="unesco-bangkok",
        kind="event",
        language="en",
        format="online",
        title="Youth Climate Dialogue Asia-Pacific",
        summary="Young people from twelve countries share local climate projects and questions for policy makers.",
        themes=["climate-action", "global-citizenship"],
        capacity=300,
        schedule=(25, [4], time(13, 0), 3, 1),
        registrations=(96, 0),
        link="https://meet.example.org/youth-climate",
    ),
    dict(
        partner="kncu",
        kind="course",
        language="ko",
        format="in_person",
        title="세계시민교육 교사 연수",
        summary="수업에서 바로 쓰는 세계시민교육 활동과 평가 방법을 다룹니다.",
        themes=["global-citizenship", "esd"],
        capacity=35,
        schedule=(6, [5], time(10, 0), 4, 4),
        registrations=(35, 9),
        venue=("유네스코회관 12층", "서울특별시 중구 명동길 26"),
    ),
    dict(
        partner="kncu",
        kind="workshop",
        language="ko-en",
        format="online",
        title="지속가능발전목표 SDGs 입문 · SDGs for Beginners",
        summary="17개 지속가능발전목표를 우리 일상과 연결해 보는 온라인 워크숍입니다.",
        themes=["esd", "global-citizenship"],
        capacity=100,
        schedule=(3, [2], time(20, 0), 1.5, 1),
        registrations=(64, 0),
        link="https://meet.example.org/kncu-sdgs",
    ),
    dict(
        partner="kncu",
        kind="course",
        language="ko",
        format="in_person",
        title="유네스코 학습도시 코디네이터 과정",
        summary="학습도시 사업을 기획하고 운영하는 지역 코디네이터를 위한 실무 과정입니다.",
        themes=["lifelong-learning", "future-of-cities"],
        capacity=24,
        schedule=(20, [3], time(14, 0), 3, 5),
        registrations=(11, 0),
        venue=("창원시 평생학습관 세미나실", "창원시 의창구 중앙대로 151"),
        cohosts=["changwon-city"],
    ),
    dict(
        partner="kncu",
        kind="event",
        language="ko",
        format="hybrid",
        title="유네스코 지속가능발전교육 공식 프로젝트 발표회",
        summary="올해 인증된 지속가능발전교육 프로젝트들이 성과를 나눕니다.",
        themes=["esd"],
        capacity=150,
        schedule=(30, [4], time(13, 30), 4, 1),
        registrations=(58, 0),
        venue=("유네스코회관 대강당", "서울특별시 중구 명동길 26"),
        link="https://meet.example.org/kncu-esd-projects",
    ),
    dict(
        partner="changwon-national-university",
        kind="course",
        language="ko",
        format="in_person",
        title="생활 속 데이터 리터러시",
        summary="공공데이터로 우리 동네 문제를 읽는 법. 엑셀만 다룰 줄 알면 충분합니다.",
        themes=["digital-media-literacy", "lifelong-learning"],
        capacity=30,
        schedule=(10, [1], time(19, 0), 2.5, 8),
        registrations=(22, 0),
        venue=("국립창원대학교 평생교육원 201호", "창원시 의창구 창원대학로 20"),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-national-university",
        kind="workshop",
        language="ko-en",
        format="in_person",
        title="태양광 미니 발전기 만들기 · Build a Mini Solar Charger",
        summary="가족과 함께 작은 태양광 충전기를 만들며 재생에너지를 배웁니다. For families with children aged 10+.",
        themes=["climate-action", "resource-efficiency"],
        capacity=12,
        schedule=(13, [6], time(14, 0), 3, 1),
        registrations=(12, 4),
        venue=("국립창원대학교 공학관 실습실", "창원시 의창구 창원대학로 20"),
    ),
    dict(
        partner="changwon-national-university",
        kind="course",
        language="en",
        format="in_person",
        title="Korean Language and Culture for Newcomers in Changwon",
        summary="Everyday Korean and local life for international residents, students and workers.",
        themes=["inclusion", "lifelong-learning", "global-citizenship"],
        capacity=25,
        schedule=(7, [0, 3], time(18, 30), 2, 10),
        registrations=(19, 0),
        venue=(
            "Changwon National University, International Center",
            "20 Changwondaehak-ro, Uichang-gu",
        ),
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        title="내일 아침 창원천 플로깅 · Plogging along Changwon Stream",
        summary="걸으며 쓰레기를 줍는 한 시간, 창원천을 함께 깨끗하게 만들어요. One hour of walking and picking up litter along the stream, tomorrow morning.",
        themes=["climate-action", "resource-efficiency"],
        capacity=40,
        # Tomorrow at 10:00: the demo's reminder (24 h before) is due as soon as it is seeded.
        schedule=(1, None, time(10, 0), 1, 1),
        registrations=(12, 0),
        venue=("창원천 용지교 아래 쉼터", "창원시 성산구 용지동"),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        title="우리 동네 걷기 좋은 길 지도 만들기",
        summary="주민이 직접 걸으며 안전하고 걷기 좋은 길을 지도로 만듭니다.",
        themes=["future-of-cities", "inclusion"],
        capacity=25,
        schedule=(-40, [5], time(10, 0), 3, 2),
        registrations=(21, 0),
        venue=("진해구 주민센터", "창원시 진해구 충장로"),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    # Earlier this year (the impact pages and the alliance report have a history to show).
    dict(
        partner="unesco-bangkok",
        kind="workshop",
        language="en",
        format="online",
        title="Climate-Ready Schools: A Whole-School Workshop",
        summary="School teams from across the region plan one climate action for their own school, with UNESCO Bangkok and KNCU.",
        themes=["climate-action", "esd"],
        capacity=80,
        schedule=(-75, [2], time(15, 0), 3, 2),
        registrations=(64, 0),
        cohosts=["kncu"],
        link="https://meet.example.org/unesco-climate-ready-schools",
    ),
    dict(
        partner="kncu",
        kind="course",
        language="ko",
        format="in_person",
        title="세계시민교육 퍼실리테이터 양성 과정",
        summary="교실과 마을에서 세계시민교육 모임을 이끄는 퍼실리테이터를 4주 동안 함께 기릅니다.",
        themes=["global-citizenship", "lifelong-learning"],
        capacity=30,
        schedule=(-110, [5], time(10, 0), 3, 4),
        registrations=(26, 0),
        venue=("유네스코회관 12층 교육실", "서울특별시 중구 명동길 26"),
    ),
    dict(
        partner="changwon-national-university",
        kind="workshop",
        language="ko-en",
        format="in_person",
        title="자원순환 리빙랩 · Circular Economy Living Lab",
        summary="버려지는 물건을 다시 쓰는 방법을 학생과 주민이 함께 실험합니다. Students and neighbours test ways to reuse what is thrown away.",
        themes=["resource-efficiency", "future-of-cities"],
        capacity=24,
        schedule=(-55, [3], time(14, 0), 3, 2),
        registrations=(20, 0),
        venue=("국립창원대학교 공학관 메이커스페이스", "창원시 의창구 창원대학로 20"),
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="in_person",
        title="시민 기후해설사 심화 과정 (초안)",
        summary="기후행동 시민학교 수료생을 위한 심화 과정입니다.",
        themes=["climate-action", "esd"],
        capacity=20,
        schedule=(60, [2], time(19, 0), 2, 6),
        registrations=(0, 0),
        status=OfferingStatus.DRAFT,
        venue=("창원시 평생학습관", "창원시 의창구 중앙대로 151"),
    ),
]

DEMO_CITIZENS = 260


def seed_offerings(password: str, citizen: Person | None = None) -> int:
    """Create the demo offerings that do not exist yet; returns how many were new.

    `citizen` (the demo login) gets the seats and waitlist places the specs name, and has
    attended the sessions of those that already took place: My learning has something to show.
    """
    partners = {p.slug: p for p in db.session.scalars(select(Partner))}
    themes = {t.slug: t for t in db.session.scalars(select(Theme))}
    existing = set(db.session.execute(select(Offering.partner_id, Offering.title)).all())
    people = _citizens(password)
    today = utcnow().date()
    created = 0
    for spec in OFFERINGS:
        partner = partners[spec["partner"]]
        if (partner.id, spec["title"]) in existing:
            continue
        offering = _offering(spec, partner, themes, partners, today)
        confirmed, waitlisted = spec["registrations"]
        _register(offering, people[: confirmed + waitlisted], confirmed)
        offering.seats_taken = min(confirmed, offering.capacity)
        _ask(offering, spec.get("questions", []), people[: confirmed + waitlisted])
        if citizen is not None and "citizen" in spec:
            _enrol_citizen(citizen, offering, spec["citizen"], today)
        created += 1
    db.session.flush()
    return created


def _register(offering: Offering, people: list[Person], confirmed: int) -> None:
    """Registrations spread over the five weeks before the first session (or today), in the
    order of `people`; the confirmed came to about six in seven of the sessions held so far
    (the dashboard's attendance rate and learning hours)."""
    now = utcnow()
    first = min((s.starts_at for s in offering.sessions), default=now)
    latest = min(first, now) - timedelta(hours=1)
    step = timedelta(days=35) / max(len(people), 1)
    held = [session for session in offering.sessions if session.ends_at <= now]
    for number, person in enumerate(people):
        status = (
            RegistrationStatus.CONFIRMED if number < confirmed else RegistrationStatus.WAITLISTED
        )
        registration = Registration(
            offering=offering,
            person=person,
            status=status,
            created_at=latest - step * (len(people) - number),
        )
        db.session.add(registration)
        if status != RegistrationStatus.CONFIRMED or offering.status != OfferingStatus.PUBLISHED:
            continue
        for index, session in enumerate(held):
            present = (number + index) % 7 != 3
            db.session.add(Attendance(session=session, registration=registration, present=present))


def _ask(offering: Offering, questions: list[dict], people: list[Person]) -> None:
    """The spec's questions, answered by every other learner who registered (the demo
    participants page and CSV show answers, and some left blank)."""
    if not questions:
        return
    rows = []
    for position, spec in enumerate(questions):
        choices = [
            {"key": str(n), "label": label} for n, label in enumerate(spec.get("choices", []), 1)
        ]
        question = Question(
            offering=offering,
            kind=spec["kind"],
            required=spec["required"],
            position=position,
            text=spec["text"],
            choices=choices,
        )
        db.session.add(question)
        rows.append(question)
    db.session.flush()
    registrations = {
        r.person_id: r
        for r in db.session.scalars(
            select(Registration).where(Registration.offering_id == offering.id)
        )
    }
    for number, person in enumerate(people):
        if number % 2:
            continue
        registration = registrations[person.id]
        for question in rows:
            if question.kind == QuestionKind.YES_NO:
                value = {"yes": number % 10 == 0}
            else:
                value = {"choices": [question.choices[number % len(question.choices)]]}
            db.session.add(
                Answer(
                    registration=registration,
                    question=question,
                    question_text=question.text,
                    value=value,
                )
            )


def _enrol_citizen(citizen: Person, offering: Offering, status, today: date) -> None:
    registration = Registration(offering=offering, person=citizen, status=status)
    db.session.add(registration)
    if status != RegistrationStatus.CONFIRMED:
        return
    offering.seats_taken += 1
    now = utcnow()
    for session in offering.sessions:
        if session.ends_at <= now:
            db.session.add(Attendance(session=session, registration=registration, present=True))


def _offering(spec, partner, themes, partners, today: date) -> Offering:
    venue_name, venue_address = spec.get("venue", ("", ""))
    offering = Offering(
        partner=partner,
        kind=spec["kind"],
        status=spec.get("status", OfferingStatus.PUBLISHED),
        title=spec["title"],
        summary=spec["summary"],
        description=spec.get("description", ""),
        language=spec["language"],
        audience="",
        format=spec["format"],
        venue_name=venue_name,
        venue_address=venue_address,
        online_link=spec.get("link", ""),
        capacity=spec["capacity"],
        timezone=partner.timezone,
        cost_note="무료 · Free",
        contact_email=f"learn@{partner.slug}.example.org",
    )
    offering.themes = [themes[slug] for slug in spec["themes"]]
    offering.cohosts = [partners[slug] for slug in spec.get("cohosts", [])]
    offset, weekdays, start, hours, weeks = spec["schedule"]
    first = today + timedelta(days=offset)
    # weekdays None: one session a day for `weeks` days (a one-off workshop tomorrow, say).
    days = weeks * 7 if weekdays is not None else weeks
    for day in (first + timedelta(days=n) for n in range(days)):
        if weekdays is None or day.weekday() in weekdays:
            starts_at = to_utc(day, start, partner.timezone)
            offering.sessions.append(
                OfferingSession(starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours))
            )
    if offering.status != OfferingStatus.DRAFT:
        offering.published_at = datetime.combine(today, time(0), tzinfo=starts_at.tzinfo)
    if offering.status == OfferingStatus.CANCELLED:
        offering.cancelled_at = utcnow()
        offering.cancel_reason = spec.get("cancel_reason", "")
        for session in offering.sessions:
            session.touch()
    db.session.add(offering)
    return offering


def _citizens(password: str) -> list[Person]:
    """The demo learners who fill the seats; one shared hash keeps seeding fast."""
    existing = {
        p.email: p
        for p in db.session.scalars(select(Person).where(Person.email.like("learner%@example.org")))
    }
    password_hash = None
    people = []
    for number in range(1, DEMO_CITIZENS + 1):
        email = f"learner{number:03d}@example.org"
        person = existing.get(email)
        if person is None:
            password_hash = password_hash or hash_password(password)
            person = Person(
                email=email,
                display_name=f"Learner {number:03d}",
                password_hash=password_hash,
                preferred_language="ko" if number % 3 else "en",
                email_verified_at=utcnow(),
            )
            db.session.add(person)
        people.append(person)
    return people
