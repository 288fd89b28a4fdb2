"""The built-in texts of the site's pages: shown (as version 1) until an admin saves their own.

Placeholders in braces are filled from the settings when shown, so what the privacy policy says
about retention stays true when the settings change (see `fill`).
"""

from datetime import UTC, datetime

from learning_platform.models import PageSlug

#: The date of the built-in version 1.
VERSION_DATE = datetime(2026, 12, 1, tzinfo=UTC)

ABOUT_EN = """\
Learning for Sustainable Cities brings together courses, workshops and events on education for
sustainable development (ESD) and lifelong learning, offered by cities, universities, UNESCO and
civil society in Asia and the Pacific.

## Who we are

The platform is a joint project of UNESCO Bangkok (the Asia and Pacific Regional Bureau for
Education), Changwon City and the Korean National Commission for UNESCO. Partner organisations
publish their own courses here and run them.

## What you can do here

- Find courses by theme, date, place and language.
- Register with one account, and join the waitlist when a course is full.
- Keep every session in your own calendar app, kept up to date.
- Follow your progress and your learning hours in *My learning*.

## Organising courses

Does your organisation offer ESD or lifelong-learning activities? Log in and propose it as a
partner. Once a site administrator has approved it, your team can publish courses.

Questions? See the [contact page](/contact).
"""

ABOUT_KO = """\
지속가능한 도시를 위한 배움터는 도시, 대학, 유네스코, 시민사회가 아시아태평양 지역에서 여는
지속가능발전교육(ESD)과 평생학습 강좌, 워크숍, 행사를 한곳에 모은 플랫폼입니다.

## 누가 운영하나요

유네스코 방콕사무소(아시아태평양 지역 교육국), 창원특례시, 유네스코한국위원회가 함께 운영합니다.
각 강좌는 파트너 기관이 직접 올리고 운영합니다.

## 여기서 할 수 있는 일

- 주제, 날짜, 장소, 언어로 강좌를 찾습니다.
- 계정 하나로 신청하고, 정원이 찼으면 대기자 명단에 오릅니다.
- 모든 일정을 내 캘린더 앱에서 늘 최신 상태로 봅니다.
- *내 학습*에서 진도와 학습 시간을 확인합니다.

## 강좌를 열고 싶다면

기관에서 지속가능발전교육이나 평생학습 활동을 하고 계신가요? 로그인한 뒤 파트너 기관으로
신청해 주세요. 사이트 관리자가 승인하면 기관의 담당자들이 강좌를 올릴 수 있습니다.

궁금한 점은 [문의 페이지](/contact)를 보세요.
"""

PRIVACY_EN = """\
This platform is run jointly by UNESCO Bangkok, Changwon City and the Korean National Commission
for UNESCO. This policy says what we store about you, why, for how long, and what you can do
about it.

## What we store

- **Your account**: your email address, the display name you chose, your preferred language,
  and when you signed up and confirmed your address. Your password is stored only as a salted
  hash (argon2id); nobody can read it back.
- **Your consent**: which version of this privacy policy and of the terms of use you agreed to,
  and when.
- **Your registrations**: the courses you register for, whether your seat is confirmed or you
  are on the waitlist, and when you registered or cancelled.
- **Attendance**: for sessions that have taken place, whether the organizer marked you present.
- **Your private calendar address**, if you create one: only a hash of its secret, when it was
  created and when a calendar app last read it.
- **Answers to registration questions** a course's organizers ask when you register (for
  example, whether you need step-free access), with the question as it read when you answered.
- **Organisations** you organize for, and your role in them.
- **Login sessions**: a hash of the token kept in your browser's cookie, and when it expires
  ({login_days} day, or {remember_days} days if you choose to stay logged in).
- **Mail we send you** (address check, confirmations, waitlist news, changes to your sessions)
  waits in our outbox until it is sent. Single-use links (password reset, address check) expire
  after {reset_hours} and {verify_hours} hours, and are removed from the outbox once sent.
- **Server logs**: our web server records each request (time, IP address, the page asked for,
  browser). Secret links are removed before anything is written.

We use no advertising, no analytics and no third-party trackers. The only cookies keep you
logged in and remember your language.

## Why we use it

To run your account, to hold your seat and tell organizers who is coming, to mail you about the
courses you joined, and to keep the service secure (for example, to slow down password
guessing). The organizers of a course you register for see your display name and email address,
your answers to their questions, and whether you attended. Nobody else does, and we sell or share nothing.

## How long we keep it

- Your account, consents and registrations: until you delete your account.
- We keep personal data only as long as it is needed. Answers to registration questions:
  {answers_days} days after the course ends; you can change them until its first session.
- Sent mail: {mail_sent_days} days after sending; mail that could not be delivered:
  {mail_failed_days} days.
- Used or expired single-use links and expired login sessions are deleted by regular
  housekeeping.
- When you delete your account, your name, email address, password and private calendar
  address are erased at once and you are logged out everywhere. Past registrations and
  attendance stay only as anonymous numbers, so that participant counts remain right; nothing
  in them points to you.

## Your rights

- **See your data**: *My account → Download my data* gives you a file (JSON) with everything we
  hold about you.
- **Correct it**: change your name and language in *My account*.
- **Delete it**: *My account → Delete my account*. A seat you hold in a course that has not
  started goes to the next person on the waitlist.
- **Ask or complain**: write to {contact_email}. You may also turn to your data protection
  authority (in Korea, the Personal Information Protection Commission).

## Changes

When this policy changes in a way that matters, we publish a new version with its date, and
ask you to read it the next time you visit while logged in.
"""

PRIVACY_KO = """\
이 플랫폼은 유네스코 방콕사무소, 창원특례시, 유네스코한국위원회가 함께 운영합니다. 이 방침은
여러분에 관해 무엇을, 왜, 얼마 동안 저장하는지, 그리고 여러분이 무엇을 할 수 있는지 설명합니다.

## 저장하는 정보

- **계정**: 이메일 주소, 직접 정한 표시 이름, 선호 언어, 가입일과 이메일 확인일. 비밀번호는
  솔트를 넣은 해시(argon2id)로만 저장하므로 누구도 원래 비밀번호를 알 수 없습니다.
- **동의 기록**: 어느 버전의 개인정보 처리방침과 이용약관에 언제 동의했는지.
- **신청 내역**: 신청한 강좌, 좌석 확정 또는 대기 여부, 신청하거나 취소한 시각.
- **출석**: 이미 열린 회차에 대해 진행자가 출석으로 표시했는지 여부.
- **개인 캘린더 주소**(만든 경우): 비밀 값의 해시, 만든 시각, 캘린더 앱이 마지막으로 읽은 시각만
  저장합니다.
- **신청 질문에 대한 답변**: 강좌 진행자가 신청할 때 묻는 질문(예: 단차 없는 이동이 필요한지)에
  대한 답과, 답할 당시의 질문 문구.
- **소속 기관**: 진행자로 활동하는 기관과 그 역할.
- **로그인 세션**: 브라우저 쿠키에 담긴 토큰의 해시와 만료 시각(기본 {login_days}일,
  로그인 유지를 선택하면 {remember_days}일).
- **보내는 메일**(이메일 확인, 신청 확인, 대기 순번 안내, 일정 변경 안내)은 발송될 때까지
  발송함에 보관합니다. 일회용 링크(비밀번호 재설정, 이메일 확인)는 각각 {reset_hours}시간,
  {verify_hours}시간 뒤 만료되며, 발송 즉시 발송함에서 지웁니다.
- **서버 기록**: 웹 서버는 요청마다 시각, IP 주소, 요청한 페이지, 브라우저를 기록합니다.
  비밀 링크는 기록 전에 지웁니다.

광고, 방문 분석, 제3자 추적 도구는 쓰지 않습니다. 쿠키는 로그인 유지와 언어 설정에만 씁니다.

## 이용 목적

계정을 운영하고, 좌석을 확보하고 진행자에게 참가자를 알리며, 신청한 강좌에 관한 메일을 보내고,
서비스를 안전하게 지키기 위해(예: 비밀번호 추측 시도 억제) 씁니다. 신청한 강좌의 진행자는
여러분의 표시 이름, 이메일 주소, 질문에 대한 답변, 출석 여부를 볼 수 있습니다. 그 밖의 누구에게도 보여 주거나
팔거나 넘기지 않습니다.

## 보관 기간

- 계정, 동의 기록, 신청 내역: 계정을 삭제할 때까지.
- 개인정보는 필요한 기간에만 보관합니다. 신청 질문에 대한 답변: 강좌가 끝나고 {answers_days}일
  뒤에 지웁니다. 첫 회차가 시작되기 전까지는 답을 고칠 수 있습니다.
- 발송한 메일: 발송 후 {mail_sent_days}일, 발송에 실패한 메일: {mail_failed_days}일.
- 사용했거나 만료된 일회용 링크와 만료된 로그인 세션은 정기 정리 작업으로 지웁니다.
- 계정을 삭제하면 이름, 이메일 주소, 비밀번호, 개인 캘린더 주소를 즉시 지우고 모든 기기에서
  로그아웃됩니다. 지난 신청과 출석은 참가자 수가 맞도록 익명의 숫자로만 남으며, 여러분을
  가리키는 정보는 남지 않습니다.

## 여러분의 권리

- **열람**: *내 계정 → 내 데이터 내려받기*에서 저장된 모든 정보를 파일(JSON)로 받을 수 있습니다.
- **정정**: *내 계정*에서 이름과 언어를 바꿀 수 있습니다.
- **삭제**: *내 계정 → 계정 삭제*. 시작 전 강좌의 좌석은 대기자 명단의 다음 분에게 넘어갑니다.
- **문의와 민원**: {contact_email}로 연락해 주세요. 개인정보보호위원회 등 감독기관에 민원을
  낼 수도 있습니다.

## 변경

이 방침이 중요하게 바뀌면 날짜와 함께 새 버전을 게시하고, 다음에 로그인한 상태로 방문할 때
읽어 보시도록 안내합니다.
"""

TERMS_EN = """\
By creating an account you agree to these terms. Please read them together with our
[privacy policy](/privacy).

## The service

The platform lists courses, workshops and events offered by partner organisations. Each course
is run by its organizer, who is responsible for its content, schedule and venue. Using the
platform is free; a course's cost, if any, is stated on its page.

## Your account

- Use your own email address and keep your password to yourself.
- One account per person. You may delete it at any time in *My account*.

## Registering for courses

- A registration holds a seat for you. If you cannot come, please cancel before the course
  starts, so the seat goes to the next person on the waitlist.
- Organizers may change or cancel sessions; we tell you by mail and in your calendar.
- Organizers may record attendance; you see it in *My learning*.

## For organisations

Partner organisations publish only courses they run or co-host, keep their details accurate,
and use participants' contact details only to run the course.

## Fair use

Do not misuse the service: no attempts to break in, no automated mass registrations, nothing
unlawful or harmful to others. We may suspend accounts or partners that do.

## Liability

We take care to keep the service running and its information correct, but cannot promise it is
always available or free of errors. Organizers are responsible for their courses.

## Changes

When these terms change, we publish a new version with its date and ask you to read it the next
time you visit while logged in. Questions: {contact_email}.
"""

TERMS_KO = """\
계정을 만들면 이 약관에 동의하는 것입니다. [개인정보 처리방침](/privacy)과 함께 읽어 주세요.

## 서비스

이 플랫폼은 파트너 기관이 여는 강좌, 워크숍, 행사를 소개합니다. 각 강좌는 진행 기관이 운영하며
내용, 일정, 장소에 대한 책임도 진행 기관에 있습니다. 플랫폼 이용은 무료이며, 강좌에 비용이
있으면 강좌 페이지에 적혀 있습니다.

## 계정

- 본인의 이메일 주소를 쓰고 비밀번호는 다른 사람과 나누지 마세요.
- 한 사람에 한 계정입니다. *내 계정*에서 언제든지 삭제할 수 있습니다.

## 강좌 신청

- 신청하면 좌석이 확보됩니다. 참석할 수 없으면 강좌 시작 전에 취소해 주세요. 좌석이 대기자
  명단의 다음 분에게 넘어갑니다.
- 진행자는 회차를 바꾸거나 취소할 수 있으며, 그때마다 메일과 캘린더로 알려 드립니다.
- 진행자가 출석을 기록할 수 있으며, *내 학습*에서 확인할 수 있습니다.

## 기관 이용자

파트너 기관은 직접 운영하거나 공동 주최하는 강좌만 올리고, 정보를 정확하게 유지하며, 참가자
연락처는 강좌 운영에만 씁니다.

## 올바른 이용

침입 시도, 자동화된 대량 신청, 불법이거나 다른 사람에게 해가 되는 행위를 하지 마세요. 이를
어긴 계정이나 기관은 이용이 중지될 수 있습니다.

## 책임

서비스가 잘 돌아가고 정보가 정확하도록 힘쓰지만, 언제나 이용 가능하거나 오류가 없다고 보장할
수는 없습니다. 각 강좌에 대한 책임은 진행 기관에 있습니다.

## 변경

약관이 바뀌면 날짜와 함께 새 버전을 게시하고, 다음에 로그인한 상태로 방문할 때 읽어 보시도록
안내합니다. 문의: {contact_email}
"""

CONTACT_EN = """\
## About a course

Each course page names its organizer and their contact address: they know the course best and
can answer questions about its content, venue and schedule.

## About your account or your data

Write to {contact_email}. You can also download your data or delete your account yourself in
*My account*; see the [privacy policy](/privacy).

## Organisations

To publish courses here, log in and propose your organisation as a partner. For anything else,
write to {contact_email}.
"""

CONTACT_KO = """\
## 강좌에 관한 문의

각 강좌 페이지에 진행 기관과 연락처가 있습니다. 강좌 내용, 장소, 일정은 진행 기관이 가장 잘
답해 드릴 수 있습니다.

## 계정과 개인정보에 관한 문의

{contact_email}로 연락해 주세요. 내 데이터 내려받기와 계정 삭제는 *내 계정*에서 직접 할 수
있습니다. [개인정보 처리방침](/privacy)도 참고하세요.

## 기관 문의

강좌를 올리려면 로그인한 뒤 기관을 파트너로 신청해 주세요. 그 밖의 문의는 {contact_email}로
보내 주세요.
"""

#: slug -> language -> (title, Markdown)
TEXTS: dict[PageSlug, dict[str, tuple[str, str]]] = {
    PageSlug.ABOUT: {
        "en": ("About us", ABOUT_EN),
        "ko": ("소개", ABOUT_KO),
    },
    PageSlug.PRIVACY: {
        "en": ("Privacy policy", PRIVACY_EN),
        "ko": ("개인정보 처리방침", PRIVACY_KO),
    },
    PageSlug.TERMS: {
        "en": ("Terms of use", TERMS_EN),
        "ko": ("이용약관", TERMS_KO),
    },
    PageSlug.CONTACT: {
        "en": ("Contact", CONTACT_EN),
        "ko": ("문의", CONTACT_KO),
    },
}


def fill(text: str, config) -> str:
    """A built-in text with its placeholders replaced by the settings they describe."""
    email = config["CONTACT_EMAIL"]
    values = {
        "contact_email": f"[{email}](mailto:{email})",
        "login_days": config["LOGIN_SESSION_DAYS"],
        "remember_days": config["REMEMBER_DAYS"],
        "reset_hours": config["PASSWORD_RESET_HOURS"],
        "verify_hours": config["EMAIL_VERIFY_HOURS"],
        "mail_sent_days": config["MAIL_KEEP_SENT_DAYS"],
        "mail_failed_days": config["MAIL_KEEP_FAILED_DAYS"],
        "answers_days": config["ANSWERS_KEEP_DAYS"],
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text
