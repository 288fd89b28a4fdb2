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

#: The language each organizer writes in first; the others are translations.
PRIMARY_LANGUAGE = {"unesco-bangkok": "en"}
COST_NOTE = {"ko": "무료", "en": "Free", "th": "ไม่มีค่าใช้จ่าย"}

_CHANGWON_CENTRE = {
    "ko": ("창원시 평생학습관", "창원시 의창구 중앙대로 151"),
    "en": ("Changwon Lifelong Learning Centre", "151 Jungang-daero, Uichang-gu, Changwon"),
}
_UNESCO_HOUSE = {
    "ko": ("유네스코회관", "서울특별시 중구 명동길 26"),
    "en": ("UNESCO House", "26 Myeongdong-gil, Jung-gu, Seoul"),
}
_CNU = {
    "ko": ("국립창원대학교", "창원시 의창구 창원대학로 20"),
    "en": ("Changwon National University", "20 Changwondaehak-ro, Uichang-gu, Changwon"),
}
_UNESCO_BANGKOK = {
    "en": ("UNESCO Bangkok", "920 Sukhumvit Road, Bangkok"),
    "th": ("ยูเนสโก กรุงเทพฯ", "920 ถนนสุขุมวิท กรุงเทพฯ"),
    "ko": ("유네스코 방콕", "태국 방콕 수쿰윗로 920"),
}


def _at(place: dict, room: dict) -> dict:
    """{language: (venue name, address)}: a room of a building named in every language."""
    return {code: (f"{name} {room[code]}", address) for code, (name, address) in place.items()}


#: Each: partner, kind, texts {language: {title, summary, description, audience, venue,
#: cancel_reason}} (the partner's primary language first), themes, language of instruction,
#: format, capacity, schedule (first day offset, weekdays, start, hours, weeks),
#: registrations (confirmed, waitlisted), and optional status / co-hosts / link / questions.
OFFERINGS = [
    dict(
        partner="changwon-city",
        kind="course",
        language="ko-en",
        format="in_person",
        texts={
            "ko": dict(
                title="기후행동 시민학교",
                summary="창원의 탄소중립 계획을 함께 읽고, 우리 동네 실천 계획을 세우는 10주 과정입니다.",
                description="## 이런 내용을 배웁니다\n\n- 기후위기의 과학과 지역의 영향\n- 창원시 2050 탄소중립 계획 읽기\n- 우리 동네 실천 계획 만들기",
                audience="기후 문제에 관심 있는 창원 시민 누구나",
                venue=_at(_CHANGWON_CENTRE, {"ko": "3층 강의실", "en": "Room 301"})["ko"],
            ),
            "en": dict(
                title="Climate Action Citizens' School",
                summary="A ten-week course: read Changwon's carbon-neutral plan together and draw up an action plan for your own neighbourhood.",
                description="## What you will learn\n\n- The science of the climate crisis and its local effects\n- Reading Changwon's 2050 carbon-neutral plan\n- Designing an action plan for your neighbourhood",
                audience="Anyone in Changwon who cares about the climate",
                venue=_at(_CHANGWON_CENTRE, {"ko": "3층 강의실", "en": "Room 301"})["en"],
            ),
        },
        themes=["climate-action", "esd", "future-of-cities"],
        capacity=30,
        schedule=(12, [1, 3], time(19, 0), 2, 10),
        registrations=(30, 6),
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
        texts={
            "ko": dict(
                title="도시 텃밭 가꾸기 첫걸음",
                summary="베란다와 옥상에서 시작하는 도시 텃밭. 흙 만들기부터 모종 심기까지 직접 해 봅니다.",
                description="## 이런 내용을 배웁니다\n\n- 베란다 화분과 옥상 텃밭 흙 만들기\n- 제철 모종 고르고 심기\n- 물 주기와 벌레 걱정 없는 돌보기\n\n장갑만 챙겨 오세요. 모종과 흙은 용지호수공원 시민텃밭에서 준비합니다.",
                audience="텃밭을 처음 가꾸는 분",
                venue=("용지호수공원 시민텃밭", "창원시 성산구 용지동"),
            ),
            "en": dict(
                title="Urban Gardening: First Steps",
                summary="Start a small vegetable garden on your balcony or rooftop, from mixing the soil to planting seedlings.",
                description="## What you will learn\n\n- Mixing soil for balcony pots and rooftop beds\n- Choosing and planting seasonal seedlings\n- Watering, and keeping pests away without worry\n\nBring gloves; seedlings and soil are provided by Yongji Lake Park's community gardens.",
                audience="First-time gardeners",
                venue=("Yongji Lake Park community gardens", "Yongji-dong, Seongsan-gu, Changwon"),
            ),
        },
        themes=["biodiversity", "lifelong-learning"],
        capacity=20,
        schedule=(5, [5], time(10, 0), 3, 1),
        registrations=(20, 3),
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="hybrid",
        texts={
            "ko": dict(
                title="어르신 디지털 배움교실: 스마트폰으로 여는 세상",
                summary="스마트폰 기초, 키오스크 주문, 사기 문자 구별하기를 천천히 함께 익힙니다.",
                description="한 번에 하나씩, 천천히 반복합니다. 자녀에게 묻지 않고도 영상 통화를 걸고, 키오스크로 주문하고, 의심스러운 문자를 알아볼 수 있게 됩니다. 쓰시는 스마트폰을 가져오세요.",
                audience="스마트폰이 아직 낯선 60세 이상 어르신",
                venue=("마산합포구 노인복지관", "창원시 마산합포구 3·15대로"),
            ),
            "en": dict(
                title="Digital Class for Seniors: Your Smartphone, Your World",
                summary="Smartphone basics, ordering at a kiosk and spotting scam messages, learnt slowly and together.",
                description="One step at a time, with plenty of repetition. By the end you can make a video call, order at a kiosk and recognise a suspicious text without asking your children. Bring the phone you use.",
                audience="People aged 60 and over who are new to smartphones",
                venue=("Masanhappo Senior Welfare Centre", "3·15-daero, Masanhappo-gu, Changwon"),
            ),
        },
        themes=["digital-media-literacy", "inclusion", "lifelong-learning"],
        capacity=25,
        schedule=(8, [0, 2], time(14, 0), 2, 6),
        registrations=(17, 0),
        link="https://meet.example.org/changwon-digital",
    ),
    dict(
        partner="changwon-city",
        kind="event",
        language="ko-en",
        format="in_person",
        texts={
            "ko": dict(
                title="창원 업사이클링 장터",
                summary="버려질 물건이 새 쓰임을 찾는 하루. 수리 카페, 물물교환 코너, 온 가족 업사이클링 체험이 열립니다.",
                description="고장 난 우산과 토스터, 작아진 옷을 가져오세요. 수리 봉사자들이 함께 고치고, 고칠 수 없는 물건은 업사이클링 작가들과 새 물건으로 만듭니다.",
                audience="가족, 이웃, 누구나",
                venue=("창원컨벤션센터 야외광장", "창원시 의창구 원이대로 362"),
            ),
            "en": dict(
                title="Changwon Upcycling Fair",
                summary="A day for things that would be thrown away: a repair café, a swap corner and upcycling workshops for all ages.",
                description="Bring a broken umbrella or toaster, or clothes that no longer fit. Volunteer fixers repair with you, and upcycling artists help turn what cannot be fixed into something new.",
                audience="Families, neighbours, everyone",
                venue=("CECO outdoor plaza", "362 Wonidae-ro, Uichang-gu, Changwon"),
            ),
        },
        themes=["resource-efficiency", "climate-action"],
        capacity=300,
        schedule=(19, [5], time(11, 0), 5, 1),
        registrations=(112, 0),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="제로웨이스트 부엌 워크숍",
                summary="장보기부터 음식물 쓰레기 줄이기까지, 부엌에서 시작하는 자원순환.",
                description="장바구니 계획 세우기, 남은 재료로 한 끼 만들기, 음식물 쓰레기 퇴비화를 직접 해 봅니다.",
                audience="집에서 요리하는 누구나",
                venue=_at(_CHANGWON_CENTRE, {"ko": "요리실", "en": "teaching kitchen"})["ko"],
            ),
            "en": dict(
                title="Zero-Waste Kitchen Workshop",
                summary="From the shopping list to less food waste: resource circulation starts in the kitchen.",
                description="Plan a shopping basket, cook a meal from leftovers and start composting food scraps, hands on.",
                audience="Anyone who cooks at home",
                venue=_at(_CHANGWON_CENTRE, {"ko": "요리실", "en": "teaching kitchen"})["en"],
            ),
        },
        themes=["resource-efficiency"],
        capacity=16,
        schedule=(-20, [3], time(19, 0), 2, 1),
        registrations=(16, 0),
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="마산만 생태 해설가 양성 과정",
                summary="마산만의 갯벌과 철새를 시민에게 안내하는 생태 해설가가 되어 보세요.",
                description="8주 동안 갯벌 생물과 철새를 관찰하고, 해설 시나리오를 만들어 시민 탐방을 직접 이끌어 봅니다.",
                audience="자연 해설 봉사에 관심 있는 성인",
                venue=("마산만 봉암갯벌 생태학습장", "창원시 마산회원구 봉암동"),
                cancel_reason="봉암갯벌 생태학습장 보수 공사로 올해 과정은 열지 않습니다. 내년 봄에 다시 모집합니다.",
            ),
            "en": dict(
                title="Masan Bay Nature Guide Training",
                summary="Become a nature guide who shows citizens the tidal flats and migratory birds of Masan Bay.",
                description="Over eight weeks you observe the life of the tidal flats and the migrating birds, write your own guided walk and lead one for the public.",
                audience="Adults interested in volunteering as nature guides",
                venue=(
                    "Bongam Tidal Flat Eco-Learning Centre",
                    "Bongam-dong, Masanhoewon-gu, Changwon",
                ),
                cancel_reason="The Bongam Tidal Flat centre is closed for repairs, so the course will not run this year. We will open registration again next spring.",
            ),
        },
        themes=["biodiversity", "esd"],
        capacity=20,
        schedule=(15, [5], time(9, 30), 3, 8),
        registrations=(3, 0),
        status=OfferingStatus.CANCELLED,
    ),
    dict(
        partner="unesco-bangkok",
        kind="course",
        language="en",
        format="online",
        texts={
            "en": dict(
                title="ESD for Teachers in Asia-Pacific: Whole-Institution Approaches",
                summary="A six-week online course for teachers and school leaders on bringing ESD into the whole life of a school.",
                description="Sustainability is more than a lesson: it is how a school is run, what it buys and how it involves its community. Each week pairs a short lecture with a case from a school in the region and a task for your own school.",
                audience="Teachers and school leaders",
            ),
            "th": dict(
                title="การศึกษาเพื่อการพัฒนาที่ยั่งยืนสำหรับครูในเอเชียและแปซิฟิก: แนวทางทั้งสถาบัน",
                summary="หลักสูตรออนไลน์หกสัปดาห์สำหรับครูและผู้บริหารสถานศึกษา ว่าด้วยการนำ ESD เข้าสู่ทุกมิติของชีวิตในโรงเรียน",
                description="ความยั่งยืนไม่ใช่แค่บทเรียนหนึ่งบท แต่คือวิธีบริหารโรงเรียน สิ่งที่โรงเรียนเลือกซื้อ และการชวนชุมชนเข้ามามีส่วนร่วม แต่ละสัปดาห์มีการบรรยายสั้น กรณีศึกษาจากโรงเรียนในภูมิภาค และงานที่นำไปใช้กับโรงเรียนของคุณเอง",
                audience="ครูและผู้บริหารสถานศึกษา",
            ),
            "ko": dict(
                title="아시아태평양 교사를 위한 지속가능발전교육: 학교 전체 접근",
                summary="교사와 학교 관리자가 지속가능발전교육을 학교생활 전체에 녹여 내는 방법을 배우는 6주 온라인 과정입니다.",
                description="지속가능성은 한 과목의 수업이 아니라 학교를 운영하고, 물건을 사고, 지역과 함께하는 방식입니다. 매주 짧은 강의와 지역 학교의 사례, 우리 학교에 적용할 과제가 이어집니다.",
                audience="교사와 학교 관리자",
            ),
        },
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
        texts={
            "en": dict(
                title="Learning Cities Webinar: Measuring Lifelong Learning",
                summary="How cities in the region measure participation in lifelong learning, with speakers from Changwon and Bangkok.",
                description="Which figures tell a city whether its residents keep learning? Speakers from Changwon and Bangkok show the indicators they use, what the numbers missed and how they changed their programmes.",
                audience="City officials, researchers and learning-city coordinators",
            ),
            "th": dict(
                title="สัมมนาออนไลน์เมืองแห่งการเรียนรู้: การวัดผลการเรียนรู้ตลอดชีวิต",
                summary="เมืองต่าง ๆ ในภูมิภาควัดการมีส่วนร่วมในการเรียนรู้ตลอดชีวิตอย่างไร ร่วมฟังวิทยากรจากชางวอนและกรุงเทพฯ",
                description="ตัวเลขใดบอกเมืองได้ว่าผู้คนยังคงเรียนรู้อยู่ วิทยากรจากชางวอนและกรุงเทพฯ จะเล่าถึงตัวชี้วัดที่ใช้ สิ่งที่ตัวเลขมองไม่เห็น และการปรับโครงการตามผลที่ได้",
                audience="เจ้าหน้าที่เมือง นักวิจัย และผู้ประสานงานเมืองแห่งการเรียนรู้",
            ),
            "ko": dict(
                title="학습도시 웨비나: 평생학습을 어떻게 측정할까",
                summary="아시아태평양 도시들은 평생학습 참여를 어떻게 측정할까요? 창원과 방콕의 발표자가 함께합니다.",
                description="시민이 계속 배우고 있는지 도시는 어떤 숫자로 알 수 있을까요? 창원과 방콕의 발표자가 쓰고 있는 지표와 숫자가 놓친 것, 그에 맞춰 바꾼 사업을 소개합니다.",
                audience="지자체 공무원, 연구자, 학습도시 코디네이터",
            ),
        },
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
        texts={
            "en": dict(
                title="Media Literacy for Youth",
                summary="A workshop for young people on checking fake news and using media responsibly.",
                description="Bring your phone: we take apart real viral posts, trace pictures back to their source and agree on habits for sharing responsibly. Held in Thai.",
                audience="Young people aged 15 to 24",
                venue=(
                    "UNESCO Bangkok, Mom Luang Pin Malakul Centenary Building",
                    "920 Sukhumvit Road, Bangkok",
                ),
            ),
            "th": dict(
                title="การรู้เท่าทันสื่อสำหรับเยาวชน",
                summary="เวิร์กช็อปสำหรับเยาวชนเรื่องการตรวจสอบข่าวปลอมและการใช้สื่ออย่างรับผิดชอบ",
                description="นำโทรศัพท์มาด้วย เราจะแกะโพสต์ที่เป็นกระแสจริง ตามหาที่มาของภาพ และร่วมกันตั้งนิสัยการแชร์อย่างรับผิดชอบ ดำเนินการเป็นภาษาไทย",
                audience="เยาวชนอายุ 15 ถึง 24 ปี",
                venue=(
                    "ยูเนสโก กรุงเทพฯ อาคาร 100 ปี ม.ล.ปิ่น มาลากุล",
                    "920 ถนนสุขุมวิท กรุงเทพฯ",
                ),
            ),
            "ko": dict(
                title="청소년 미디어 리터러시",
                summary="가짜 뉴스를 가려내고 미디어를 책임 있게 쓰는 법을 배우는 청소년 워크숍입니다.",
                description="휴대전화를 가져오세요. 실제로 퍼진 게시물을 뜯어보고, 사진의 출처를 추적하고, 책임 있게 공유하는 습관을 함께 정합니다. 태국어로 진행합니다.",
                audience="15~24세 청소년",
                venue=("유네스코 방콕 몸루앙 핀 말라꾼 100주년 기념관", "태국 방콕 수쿰윗로 920"),
            ),
        },
        themes=["digital-media-literacy", "global-citizenship"],
        capacity=40,
        schedule=(11, [5], time(9, 0), 6, 1),
        registrations=(40, 12),
    ),
    dict(
        partner="unesco-bangkok",
        kind="course",
        language="en",
        format="hybrid",
        texts={
            "en": dict(
                title="Education and the Future of Cities in Asia-Pacific",
                summary="A regional course on how education shapes liveable, inclusive and green cities.",
                description="Four sessions with city teams from Bangkok, Changwon and beyond: learning in public spaces, schools as green hubs, and how residents take part in planning. Join in Bangkok or online.",
                audience="City planners, educators and civil society",
                venue=_UNESCO_BANGKOK["en"],
            ),
            "th": dict(
                title="การศึกษากับอนาคตของเมืองในเอเชียและแปซิฟิก",
                summary="หลักสูตรระดับภูมิภาคว่าด้วยบทบาทของการศึกษาในการสร้างเมืองที่น่าอยู่ ทั่วถึง และเป็นมิตรต่อสิ่งแวดล้อม",
                description="สี่ครั้งร่วมกับทีมจากเมืองกรุงเทพฯ ชางวอน และเมืองอื่น ๆ ว่าด้วยการเรียนรู้ในพื้นที่สาธารณะ โรงเรียนในฐานะศูนย์กลางสีเขียว และการมีส่วนร่วมของประชาชนในการวางผังเมือง เข้าร่วมได้ที่กรุงเทพฯ หรือทางออนไลน์",
                audience="นักวางผังเมือง นักการศึกษา และภาคประชาสังคม",
                venue=_UNESCO_BANGKOK["th"],
            ),
            "ko": dict(
                title="아시아태평양의 교육과 미래 도시",
                summary="교육이 살기 좋고 포용적인 녹색 도시를 어떻게 만드는지 살펴보는 지역 과정입니다.",
                description="방콕과 창원 등 여러 도시의 팀과 함께하는 네 번의 만남: 공공 공간에서의 배움, 녹색 거점이 되는 학교, 도시 계획에 참여하는 시민. 방콕 현장이나 온라인으로 참여할 수 있습니다.",
                audience="도시 계획가, 교육자, 시민사회",
                venue=_UNESCO_BANGKOK["ko"],
            ),
        },
        themes=["future-of-cities", "esd", "inclusion"],
        capacity=60,
        schedule=(16, [1], time(16, 0), 2, 4),
        registrations=(35, 0),
        link="https://meet.example.org/future-of-cities",
        cohosts=["changwon-city", "kncu"],
    ),
    dict(
        partner="unesco-bangkok",
        kind="event",
        language="en",
        format="online",
        texts={
            "en": dict(
                title="Youth Climate Dialogue Asia-Pacific",
                summary="Young people from twelve countries share local climate projects and questions for policy makers.",
                description="Short talks by young organisers, then open conversation with policy makers. Questions can be sent in advance in any language of the region.",
                audience="Young people aged 18 to 30, and anyone who works with them",
            ),
            "th": dict(
                title="เวทีเสวนาเยาวชนเพื่อสภาพภูมิอากาศ เอเชียและแปซิฟิก",
                summary="เยาวชนจากสิบสองประเทศแบ่งปันโครงการด้านสภาพภูมิอากาศในท้องถิ่น และคำถามถึงผู้กำหนดนโยบาย",
                description="เริ่มด้วยการนำเสนอสั้น ๆ จากแกนนำเยาวชน ต่อด้วยการพูดคุยเปิดกับผู้กำหนดนโยบาย ส่งคำถามล่วงหน้าได้ทุกภาษาในภูมิภาค",
                audience="เยาวชนอายุ 18 ถึง 30 ปี และผู้ที่ทำงานกับเยาวชน",
            ),
            "ko": dict(
                title="아시아태평양 청년 기후 대화",
                summary="12개국 청년들이 지역의 기후 프로젝트와 정책 결정자에게 묻고 싶은 질문을 나눕니다.",
                description="청년 활동가들의 짧은 발표에 이어 정책 결정자와 자유롭게 대화합니다. 질문은 지역의 어느 언어로든 미리 보낼 수 있습니다.",
                audience="18~30세 청년과 청년과 함께 일하는 누구나",
            ),
        },
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
        texts={
            "ko": dict(
                title="세계시민교육 교사 연수",
                summary="수업에서 바로 쓰는 세계시민교육 활동과 평가 방법을 다룹니다.",
                description="인권, 평화, 문화 다양성을 주제로 한 수업 활동을 직접 해 보고, 학생의 변화를 평가하는 방법을 함께 만듭니다.",
                audience="초·중·고 교사",
                venue=_at(_UNESCO_HOUSE, {"ko": "12층", "en": "12th floor"})["ko"],
            ),
            "en": dict(
                title="Global Citizenship Education for Teachers",
                summary="Classroom activities for global citizenship education you can use the next day, and ways to assess them.",
                description="Try out lessons on human rights, peace and cultural diversity, and build together ways to see how your students change.",
                audience="Primary and secondary school teachers",
                venue=_at(_UNESCO_HOUSE, {"ko": "12층", "en": "12th floor"})["en"],
            ),
        },
        themes=["global-citizenship", "esd"],
        capacity=35,
        schedule=(6, [5], time(10, 0), 4, 4),
        registrations=(35, 9),
    ),
    dict(
        partner="kncu",
        kind="workshop",
        language="ko-en",
        format="online",
        texts={
            "ko": dict(
                title="지속가능발전목표 SDGs 입문",
                summary="17개 지속가능발전목표를 우리 일상과 연결해 보는 온라인 워크숍입니다.",
                description="목표 하나하나가 내 장보기, 출퇴근, 일과 어떻게 이어지는지 퀴즈와 토론으로 알아봅니다.",
                audience="SDGs를 처음 접하는 누구나",
            ),
            "en": dict(
                title="SDGs for Beginners",
                summary="An online workshop linking the 17 Sustainable Development Goals to everyday life.",
                description="A quiz and a conversation on how each goal connects with your shopping, your commute and your work.",
                audience="Anyone new to the SDGs",
            ),
        },
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
        texts={
            "ko": dict(
                title="유네스코 학습도시 코디네이터 과정",
                summary="학습도시 사업을 기획하고 운영하는 지역 코디네이터를 위한 실무 과정입니다.",
                description="유네스코 글로벌 학습도시 네트워크의 사례를 바탕으로 사업 계획, 협력 기관 찾기, 성과 측정을 실습합니다.",
                audience="지자체와 평생학습 기관의 실무자",
                venue=_at(_CHANGWON_CENTRE, {"ko": "세미나실", "en": "seminar room"})["ko"],
            ),
            "en": dict(
                title="UNESCO Learning City Coordinator Course",
                summary="A practical course for the local coordinators who plan and run learning-city programmes.",
                description="Drawing on cases from the UNESCO Global Network of Learning Cities, practise planning a programme, finding partners and measuring results.",
                audience="Staff of city governments and lifelong-learning institutions",
                venue=_at(_CHANGWON_CENTRE, {"ko": "세미나실", "en": "seminar room"})["en"],
            ),
        },
        themes=["lifelong-learning", "future-of-cities"],
        capacity=24,
        schedule=(20, [3], time(14, 0), 3, 5),
        registrations=(11, 0),
        cohosts=["changwon-city"],
    ),
    dict(
        partner="kncu",
        kind="event",
        language="ko",
        format="hybrid",
        texts={
            "ko": dict(
                title="유네스코 지속가능발전교육 공식 프로젝트 발표회",
                summary="올해 인증된 지속가능발전교육 프로젝트들이 성과를 나눕니다.",
                description="학교, 마을, 기업에서 1년 동안 이어 온 프로젝트의 이야기를 듣고, 다음 해 인증 신청 방법도 안내합니다.",
                audience="지속가능발전교육 실천가와 관심 있는 누구나",
                venue=_at(_UNESCO_HOUSE, {"ko": "대강당", "en": "main hall"})["ko"],
            ),
            "en": dict(
                title="UNESCO Official ESD Projects Showcase",
                summary="This year's certified Education for Sustainable Development projects share what they achieved.",
                description="Hear from a year of projects in schools, neighbourhoods and companies, and learn how to apply for certification next year.",
                audience="ESD practitioners and anyone interested",
                venue=_at(_UNESCO_HOUSE, {"ko": "대강당", "en": "main hall"})["en"],
            ),
        },
        themes=["esd"],
        capacity=150,
        schedule=(30, [4], time(13, 30), 4, 1),
        registrations=(58, 0),
        link="https://meet.example.org/kncu-esd-projects",
    ),
    dict(
        partner="changwon-national-university",
        kind="course",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="생활 속 데이터 리터러시",
                summary="공공데이터로 우리 동네 문제를 읽는 법. 엑셀만 다룰 줄 알면 충분합니다.",
                description="버스 노선, 미세먼지, 인구 자료를 내려받아 표와 그래프로 정리하고, 우리 동네의 질문에 답해 봅니다.",
                audience="엑셀을 조금 다룰 줄 아는 성인",
                venue=_at(
                    _CNU, {"ko": "평생교육원 201호", "en": "Lifelong Education Institute, room 201"}
                )["ko"],
            ),
            "en": dict(
                title="Data Literacy for Everyday Life",
                summary="Read your neighbourhood's questions in open public data. Knowing a little Excel is enough.",
                description="Download bus routes, air quality and population figures, turn them into tables and charts, and answer questions about where you live.",
                audience="Adults who know a little Excel",
                venue=_at(
                    _CNU, {"ko": "평생교육원 201호", "en": "Lifelong Education Institute, room 201"}
                )["en"],
            ),
        },
        themes=["digital-media-literacy", "lifelong-learning"],
        capacity=30,
        schedule=(10, [1], time(19, 0), 2.5, 8),
        registrations=(22, 0),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-national-university",
        kind="workshop",
        language="ko-en",
        format="in_person",
        texts={
            "ko": dict(
                title="태양광 미니 발전기 만들기",
                summary="가족과 함께 작은 태양광 충전기를 만들며 재생에너지를 배웁니다. 10세 이상 어린이와 가족이 대상입니다.",
                description="태양전지, 전선, 작은 배터리로 휴대전화 충전기를 조립합니다. 만든 충전기는 집에 가져갑니다.",
                audience="10세 이상 어린이와 가족",
                venue=_at(_CNU, {"ko": "공학관 실습실", "en": "Engineering Building workshop"})[
                    "ko"
                ],
            ),
            "en": dict(
                title="Build a Mini Solar Charger",
                summary="Learn about renewable energy by building a small solar charger together. For families with children aged 10 and over.",
                description="Assemble a phone charger from a solar cell, wires and a small battery, and take it home with you.",
                audience="Families with children aged 10 and over",
                venue=_at(_CNU, {"ko": "공학관 실습실", "en": "Engineering Building workshop"})[
                    "en"
                ],
            ),
        },
        themes=["climate-action", "resource-efficiency"],
        capacity=12,
        schedule=(13, [6], time(14, 0), 3, 1),
        registrations=(12, 4),
    ),
    dict(
        partner="changwon-national-university",
        kind="course",
        language="en",
        format="in_person",
        texts={
            "ko": dict(
                title="창원에 새로 온 이들을 위한 한국어와 한국 문화",
                summary="외국인 주민, 유학생, 노동자를 위한 생활 한국어와 창원 생활 안내.",
                description="병원 가기, 장보기, 동네 주민센터 이용하기처럼 바로 필요한 한국어를 배우고, 창원의 축제와 음식도 함께 경험합니다. 영어로 진행합니다.",
                audience="창원에 사는 외국인 주민",
                venue=_at(_CNU, {"ko": "국제교류센터", "en": "International Center"})["ko"],
            ),
            "en": dict(
                title="Korean Language and Culture for Newcomers in Changwon",
                summary="Everyday Korean and local life for international residents, students and workers.",
                description="Learn the Korean you need straight away, at the doctor's, the market and the community centre, and enjoy Changwon's festivals and food together. Taught in English.",
                audience="International residents of Changwon",
                venue=_at(_CNU, {"ko": "국제교류센터", "en": "International Center"})["en"],
            ),
        },
        themes=["inclusion", "lifelong-learning", "global-citizenship"],
        capacity=25,
        schedule=(7, [0, 3], time(18, 30), 2, 10),
        registrations=(19, 0),
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="내일 아침 창원천 플로깅",
                summary="걸으며 쓰레기를 줍는 한 시간, 창원천을 함께 깨끗하게 만들어요.",
                description="집게와 봉투는 준비되어 있습니다. 편한 신발을 신고 오세요. 주운 쓰레기는 종류별로 나눠 무게를 잽니다.",
                audience="산책을 좋아하는 누구나",
                venue=("창원천 용지교 아래 쉼터", "창원시 성산구 용지동"),
            ),
            "en": dict(
                title="Plogging along Changwon Stream, Tomorrow Morning",
                summary="One hour of walking and picking up litter: let's clean Changwon Stream together.",
                description="Tongs and bags are provided; wear comfortable shoes. We sort what we collect and weigh it at the end.",
                audience="Anyone who likes a walk",
                venue=(
                    "Rest area under Yongji Bridge, Changwon Stream",
                    "Yongji-dong, Seongsan-gu, Changwon",
                ),
            ),
        },
        themes=["climate-action", "resource-efficiency"],
        capacity=40,
        # Tomorrow at 10:00: the demo's reminder (24 h before) is due as soon as it is seeded.
        schedule=(1, None, time(10, 0), 1, 1),
        registrations=(12, 0),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    dict(
        partner="changwon-city",
        kind="workshop",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="우리 동네 걷기 좋은 길 지도 만들기",
                summary="주민이 직접 걸으며 안전하고 걷기 좋은 길을 지도로 만듭니다.",
                description="두 번의 토요일 동안 동네를 걸으며 위험한 건널목, 그늘, 쉼터를 기록하고 주민센터에 전할 지도를 완성합니다.",
                audience="진해구 주민",
                venue=("진해구 주민센터", "창원시 진해구 충장로"),
            ),
            "en": dict(
                title="Mapping the Walkable Streets of Our Neighbourhood",
                summary="Residents walk their own streets and map the routes that are safe and pleasant to walk.",
                description="Over two Saturdays we walk the neighbourhood, note unsafe crossings, shade and places to rest, and finish a map to hand to the community centre.",
                audience="Residents of Jinhae-gu",
                venue=("Jinhae-gu Community Centre", "Chungjang-ro, Jinhae-gu, Changwon"),
            ),
        },
        themes=["future-of-cities", "inclusion"],
        capacity=25,
        schedule=(-40, [5], time(10, 0), 3, 2),
        registrations=(21, 0),
        citizen=RegistrationStatus.CONFIRMED,
    ),
    # Earlier this year (the impact pages and the alliance report have a history to show).
    dict(
        partner="unesco-bangkok",
        kind="workshop",
        language="en",
        format="online",
        texts={
            "en": dict(
                title="Climate-Ready Schools: A Whole-School Workshop",
                summary="School teams from across the region plan one climate action for their own school, with UNESCO Bangkok and KNCU.",
                description="Come as a team of three: a school leader, a teacher and a student. You leave with one action your school will take this term, and a way to tell whether it worked.",
                audience="School teams: a leader, a teacher and a student",
            ),
            "th": dict(
                title="โรงเรียนพร้อมรับมือสภาพภูมิอากาศ: เวิร์กช็อปทั้งโรงเรียน",
                summary="ทีมโรงเรียนจากทั่วภูมิภาควางแผนปฏิบัติการด้านสภาพภูมิอากาศหนึ่งเรื่องสำหรับโรงเรียนของตน ร่วมกับยูเนสโก กรุงเทพฯ และ KNCU",
                description="มาเป็นทีมสามคน ได้แก่ ผู้บริหาร ครู และนักเรียน แล้วกลับไปพร้อมกิจกรรมหนึ่งอย่างที่โรงเรียนจะทำในภาคเรียนนี้ และวิธีดูว่าได้ผลหรือไม่",
                audience="ทีมโรงเรียน: ผู้บริหาร ครู และนักเรียน",
            ),
            "ko": dict(
                title="기후에 대비하는 학교: 학교 전체 워크숍",
                summary="아시아태평양의 학교 팀이 유네스코 방콕, 유네스코한국위원회와 함께 우리 학교의 기후행동 하나를 계획합니다.",
                description="학교 관리자, 교사, 학생 세 명이 한 팀으로 오세요. 이번 학기에 학교가 실천할 행동 하나와 그 효과를 확인할 방법을 가지고 돌아갑니다.",
                audience="학교 팀: 관리자, 교사, 학생",
            ),
        },
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
        texts={
            "ko": dict(
                title="세계시민교육 퍼실리테이터 양성 과정",
                summary="교실과 마을에서 세계시민교육 모임을 이끄는 퍼실리테이터를 4주 동안 함께 기릅니다.",
                description="질문으로 대화를 여는 법, 서로 다른 의견을 듣는 법, 모임을 설계하는 법을 실습하고, 마지막 주에 직접 모임을 진행합니다.",
                audience="교사, 활동가, 마을 공동체 리더",
                venue=_at(_UNESCO_HOUSE, {"ko": "12층 교육실", "en": "12th-floor training room"})[
                    "ko"
                ],
            ),
            "en": dict(
                title="Global Citizenship Education Facilitator Training",
                summary="Four weeks to grow the facilitators who lead global citizenship circles in classrooms and neighbourhoods.",
                description="Practise opening a conversation with questions, listening across disagreement and designing a session, then run one yourself in the last week.",
                audience="Teachers, activists and community leaders",
                venue=_at(_UNESCO_HOUSE, {"ko": "12층 교육실", "en": "12th-floor training room"})[
                    "en"
                ],
            ),
        },
        themes=["global-citizenship", "lifelong-learning"],
        capacity=30,
        schedule=(-110, [5], time(10, 0), 3, 4),
        registrations=(26, 0),
    ),
    dict(
        partner="changwon-national-university",
        kind="workshop",
        language="ko-en",
        format="in_person",
        texts={
            "ko": dict(
                title="자원순환 리빙랩",
                summary="버려지는 물건을 다시 쓰는 방법을 학생과 주민이 함께 실험합니다.",
                description="캠퍼스와 동네에서 모은 폐자재로 시제품을 만들고, 주민의 의견을 들어 고쳐 나갑니다.",
                audience="대학생과 지역 주민",
                venue=_at(
                    _CNU, {"ko": "공학관 메이커스페이스", "en": "Engineering Building makerspace"}
                )["ko"],
            ),
            "en": dict(
                title="Circular Economy Living Lab",
                summary="Students and neighbours test ways to reuse what is thrown away.",
                description="Build prototypes from materials collected on campus and in the neighbourhood, and improve them with residents' feedback.",
                audience="University students and local residents",
                venue=_at(
                    _CNU, {"ko": "공학관 메이커스페이스", "en": "Engineering Building makerspace"}
                )["en"],
            ),
        },
        themes=["resource-efficiency", "future-of-cities"],
        capacity=24,
        schedule=(-55, [3], time(14, 0), 3, 2),
        registrations=(20, 0),
    ),
    dict(
        partner="changwon-city",
        kind="course",
        language="ko",
        format="in_person",
        texts={
            "ko": dict(
                title="시민 기후해설사 심화 과정 (초안)",
                summary="기후행동 시민학교 수료생을 위한 심화 과정입니다.",
                description="수료생이 이웃에게 기후 이야기를 전하는 해설사가 되도록 발표와 진행을 연습합니다.",
                audience="기후행동 시민학교 수료생",
                venue=_CHANGWON_CENTRE["ko"],
            ),
            "en": dict(
                title="Citizen Climate Guides: Advanced Course (draft)",
                summary="An advanced course for graduates of the Climate Action Citizens' School.",
                description="Graduates practise presenting and leading conversations so they can pass on what they learnt to their neighbours.",
                audience="Graduates of the Climate Action Citizens' School",
                venue=_CHANGWON_CENTRE["en"],
            ),
        },
        themes=["climate-action", "esd"],
        capacity=20,
        schedule=(60, [2], time(19, 0), 2, 6),
        registrations=(0, 0),
        status=OfferingStatus.DRAFT,
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
    existing = _titles_by_partner()
    people = _citizens(password)
    today = utcnow().date()
    created = 0
    for spec in OFFERINGS:
        partner = partners[spec["partner"]]
        titles = {texts["title"] for texts in spec["texts"].values()}
        if titles & existing.get(partner.id, set()):
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


def _titles_by_partner() -> dict[int, set[str]]:
    """{partner id: every title of its offerings, in every language}: an offering seeded
    before (whichever language its title was then written in) is not seeded again."""
    titles: dict[int, set[str]] = {}
    for partner_id, title, translations in db.session.execute(
        select(Offering.partner_id, Offering.title, Offering.translations)
    ):
        found = titles.setdefault(partner_id, set())
        found.add(title)
        found.update(
            fields["title"] for fields in (translations or {}).values() if "title" in fields
        )
    return titles


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
    primary = PRIMARY_LANGUAGE.get(partner.slug, "ko")
    offering = Offering(
        partner=partner,
        kind=spec["kind"],
        status=spec.get("status", OfferingStatus.PUBLISHED),
        primary_language=primary,
        language=spec["language"],
        format=spec["format"],
        online_link=spec.get("link", ""),
        capacity=spec["capacity"],
        timezone=partner.timezone,
        contact_email=f"learn@{partner.slug}.example.org",
    )
    for language in (primary, *(code for code in spec["texts"] if code != primary)):
        texts = dict(spec["texts"][language])
        texts["venue_name"], texts["venue_address"] = texts.pop("venue", ("", ""))
        texts["cost_note"] = COST_NOTE[language]
        offering.set_texts(language, texts)
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
