"""Covers and logos: what an organizer uploads is checked, cleaned, resized and served; what is
refused is said next to the field and leaves nothing behind; without an upload, default art."""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image as Pillow
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from learning_platform.extensions import db
from learning_platform.models import Image, Offering, Partner
from tests.test_workspace import in_days

JPEG_GPS = {2: (37, 0, 0), 4: (127, 0, 0)}  # GPSLatitude, GPSLongitude


def picture(fmt: str = "JPEG", size=(1600, 900), *, orientation: int | None = None) -> bytes:
    """A photo-like picture in `fmt`; JPEGs carry EXIF with a GPS position and `orientation`."""
    image = Pillow.new("RGB", size, (30, 120, 90))
    for x in range(0, size[0], 50):
        image.paste((200, 80 + x % 150, 40), (x, 0, x + 25, size[1] // 2))
    buffer = io.BytesIO()
    if fmt == "JPEG":
        exif = Pillow.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = JPEG_GPS  # GPSInfo
        if orientation:
            exif[0x0112] = orientation
        image.save(buffer, "JPEG", exif=exif, quality=90)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG of a few hundred bytes that claims 400 million pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 2000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


ALTS = {
    "alt_ko": "하천변에 나무를 심는 자원봉사자들",
    "alt_en": "Volunteers planting trees by a stream",
}


def upload(client, path: str, data: bytes | None, filename: str = "photo.jpg", **fields):
    """POST the upload form as a browser does (multipart, CSRF token included)."""
    form = {"csrf_token": client.csrf_token(path), **ALTS, **fields}
    if data is not None:
        form["image"] = FileStorage(io.BytesIO(data), filename=filename)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def fetched(client, url: str):
    """GET `url`, its body read and the file behind it closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def stored_files(app) -> list[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def image_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Image))


@pytest.fixture
def published(organizer, make_offering, make_theme):
    _person, partner = organizer
    theme = make_theme("climate-action")
    return make_offering(
        partner, status="published", sessions=[in_days(10)], themes=[theme], title="Rain gardens"
    )


def cover_path(offering) -> str:
    return f"/workspace/offerings/{offering.id}/cover"


@pytest.mark.parametrize(
    ("fmt", "filename"), [("JPEG", "photo.JPG"), ("PNG", "plan.png"), ("WEBP", "art.webp")]
)
def test_an_uploaded_cover_is_served_in_three_widths_with_a_year_of_cache(
    app, client, published, fmt, filename
):
    response = upload(client, cover_path(published), picture(fmt), filename)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workspace/offerings/{published.id}"

    card = client.get("/offerings").get_data(as_text=True)
    srcset = re.search(r'srcset="([^"]+)"', card).group(1)
    urls = [part.split()[0] for part in srcset.split(", ")]
    assert [part.split()[1] for part in srcset.split(", ")] == ["400w", "800w", "1200w"]
    assert f'alt="{ALTS["alt_en"]}"' in card
    assert 'width="1200" height="675"' in card

    for url in urls:
        served = fetched(client, url)
        assert served.status_code == 200
        assert served.mimetype == "image/webp"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        cache = served.headers["Cache-Control"]
        assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
        assert Pillow.open(io.BytesIO(served.data)).format == "WEBP"
    assert len(stored_files(app)) == 3


def test_gps_and_other_exif_are_gone_and_the_photo_stands_upright(app, client, published):
    # Stored sideways with "rotate 90°" in its EXIF, as phones do.
    upload(client, cover_path(published), picture(size=(1200, 800), orientation=6))
    page = client.get(f"/offerings/{published.id}").get_data(as_text=True)
    url = re.search(r'src="(/media/[^"]+)"', page).group(1)
    served = Pillow.open(io.BytesIO(fetched(client, url).data))
    assert served.height > served.width  # turned upright: 800 wide, 1200 high
    assert dict(served.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile"} & set(served.info)
    for name in stored_files(app):
        data = (Path(app.config["MEDIA_ROOT"]) / name).read_bytes()
        assert b"PhoneMaker" not in data and b"Exif" not in data and b"EXIF" not in data


SIX_MB = b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024)
HTML = b"<!doctype html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (SIX_MB, "huge.jpg", "This file is larger than 5 MB"),
        (HTML, "photo.png", "This file is not a JPEG, PNG or WebP image we can read"),
        (png_bomb(), "bomb.png", "This image has too many pixels"),
        (GIF, "animation.gif", "Choose a JPEG, PNG or WebP image"),
        (SVG, "drawing.svg", "Choose a JPEG, PNG or WebP image"),
        (HTML, "page.html", "Choose a JPEG, PNG or WebP image"),
        (picture(size=(300, 200)), "tiny.jpg", "This image is too small"),
        (None, "", "Choose an image file."),
    ],
    ids=["6-MB", "html-as-png", "decompression-bomb", "gif", "svg", "html", "too-small", "none"],
)
def test_a_refused_upload_is_explained_next_to_the_field_and_nothing_is_stored(
    app, client, published, data, filename, message
):
    response = upload(client, cover_path(published), data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="image-error">(.*?)</p>', page, re.S).group(1)
    assert message in error
    assert image_rows(app) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("missing", ["alt_ko", "alt_en"])
def test_a_cover_needs_its_description_in_korean_and_english(app, client, published, missing):
    response = upload(client, cover_path(published), picture(), **{missing: ""})
    assert response.status_code == 422
    assert re.search(rf'id="{missing}-error"', response.get_data(as_text=True))
    assert image_rows(app) == 0
    assert stored_files(app) == []


def test_a_body_far_over_the_limit_gets_a_page_that_says_so(make_app, organizer, make_offering):
    app = make_app(MEDIA_MAX_BYTES=100_000, MAX_CONTENT_LENGTH=100_000)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    person, partner = organizer
    client.submit("/login", {"email": person.email, "password": "correct horse battery staple"})
    offering = make_offering(partner)
    response = upload(client, cover_path(offering), b"\xff" * 400_000)
    assert response.status_code == 413
    assert "the most we accept for an image" in response.get_data(as_text=True)
    assert image_rows(app) == 0


def test_a_normal_form_keeps_the_small_body_limit(client, organizer):
    response = client.post("/account", data={"name": "x" * 2_000_000})
    assert response.status_code == 413


def test_replacing_keeps_one_image_and_removing_brings_back_the_themes_art(app, client, published):
    upload(client, cover_path(published), picture())
    upload(client, cover_path(published), picture("PNG", size=(1000, 500)), "new.png")
    assert image_rows(app) == 1
    page = client.get("/offerings").get_data(as_text=True)
    assert "400w, " in page and "1000w" in page and "1200w" not in page  # never enlarged

    # Only the descriptions change: no file chosen.
    response = upload(client, cover_path(published), None, alt_en="A rain garden in Changwon")
    assert response.status_code == 302
    assert 'alt="A rain garden in Changwon"' in client.get("/offerings").get_data(as_text=True)

    assert client.get(cover_path(published) + "/remove").status_code == 405
    response = client.submit(
        cover_path(published) + "/remove", {"confirm": "yes"}, page=cover_path(published)
    )
    assert response.status_code == 302
    assert image_rows(app) == 0
    page = client.get("/offerings").get_data(as_text=True)
    assert "/static/covers/climate-action.svg" in page


def test_the_cover_is_shown_in_the_readers_language(client, published):
    upload(client, cover_path(published), picture())
    client.submit("/logout", page="/")
    page = client.get(f"/offerings/{published.id}", headers={"Accept-Language": "ko"})
    assert f'alt="{ALTS["alt_ko"]}"' in page.get_data(as_text=True)


def test_link_previews_show_the_uploaded_cover_with_its_description(client, published):
    upload(client, cover_path(published), picture())
    client.submit("/logout", page="/")
    page = client.get(f"/offerings/{published.id}").get_data(as_text=True)
    image = re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)
    assert image.startswith("http://localhost/media/") and image.endswith(".webp")
    assert f'<meta property="og:image:alt" content="{ALTS["alt_en"]}">' in page
    assert fetched(client, image.removeprefix("http://localhost")).status_code == 200


def test_a_duplicated_offering_keeps_the_cover(app, client, published):
    upload(client, cover_path(published), picture())
    client.submit(f"/workspace/offerings/{published.id}/duplicate", page="/")
    with app.app_context():
        covers = db.session.scalars(select(Offering.cover_id).order_by(Offering.id)).all()
    assert len(covers) == 2 and None not in covers and covers[0] != covers[1]
    client.submit(cover_path(published) + "/remove", {"confirm": "yes"}, page=cover_path(published))
    assert len(stored_files(app)) == 3  # the copy still shows them


def test_someone_elses_offering_cannot_get_a_cover(
    app, client, login, make_person, make_partner, make_offering
):
    owner = make_partner()
    offering = make_offering(owner, status="published", sessions=[in_days(5)])
    login(make_person())
    stranger = make_person()
    make_partner(members=[stranger])
    client.submit("/logout", page="/")
    login(stranger)
    token = client.csrf_token("/")
    response = client.post(
        cover_path(offering),
        data={"csrf_token": token, **ALTS, "image": (io.BytesIO(picture()), "p.jpg")},
    )
    assert response.status_code == 404
    assert image_rows(app) == 0
    assert stored_files(app) == []


def test_a_partners_manager_uploads_its_logo_and_cards_show_it(
    app, client, login, make_person, make_partner, make_offering
):
    manager, organizer = make_person(), make_person()
    partner = make_partner(name="UNESCO Bangkok", members=[manager, organizer])
    with app.app_context():
        from learning_platform.models import Membership, MembershipRole

        db.session.execute(
            Membership.__table__.update()
            .where(Membership.person_id == manager.id)
            .values(role=MembershipRole.MANAGER)
        )
        db.session.commit()
    make_offering(partner, status="published", sessions=[in_days(3)])
    path = f"/workspace/{partner.slug}/logo"

    assert "UB" in client.get("/offerings").get_data(as_text=True)  # the monogram

    login(organizer)
    assert client.get(path).status_code == 403
    client.submit("/logout", page="/")
    login(manager)
    logo = picture("PNG", size=(400, 400))
    response = upload(
        client, path, logo, "logo.png", alt_ko="유네스코 방콕", alt_en="UNESCO Bangkok"
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Partner).where(Partner.id == partner.id)).logo
        assert stored.sizes == [96, 192]
    card = client.get("/offerings").get_data(as_text=True)
    assert re.search(rf'<img class="logo logo--32[^>]*src="/media/{stored.key}-96.webp"', card)
    page = client.get(f"/partners/{partner.slug}").get_data(as_text=True)
    assert f"/media/{stored.key}-96.webp 1x, /media/{stored.key}-192.webp 2x" in page


def test_a_site_admin_uploads_a_logo_from_the_partner_admin(
    app, client, login, make_person, make_partner
):
    partner = make_partner()
    login(make_person(admin=True))
    assert "Logo" in client.get(f"/admin/partners/{partner.slug}/edit").get_data(as_text=True)
    path = f"/admin/partners/{partner.slug}/logo"
    response = upload(client, path, picture("WEBP", size=(300, 100)), "logo.webp")
    assert response.headers["Location"] == f"/admin/partners/{partner.slug}/edit"
    with app.app_context():
        assert db.session.get(Partner, partner.id).logo.sizes == [96, 192]
    client.submit(path + "/remove", {"confirm": "yes"}, page=path)
    with app.app_context():
        assert db.session.get(Partner, partner.id).logo is None


@pytest.mark.parametrize(
    "path",
    [
        "/media/unknown.webp",
        "/media/" + "a" * 32 + "-400.webp",
        "/media/..%2Fsecret_key",
        "/media/%2e%2e/secret_key",
        "/media/" + "a" * 32 + "-400.webp%00.png",
    ],
)
def test_media_serves_nothing_but_stored_files(app, client, path):
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    (Path(app.config["MEDIA_ROOT"]).parent / "secret_key").write_text("secret")
    assert fetched(client, path).status_code == 404


def test_without_uploads_cards_show_their_themes_art_and_partner_initials(
    client, make_partner, make_offering, make_theme
):
    partner = make_partner(name="창원시")
    biodiversity = make_theme("biodiversity")
    make_offering(
        partner, status="published", sessions=[in_days(4)], themes=[biodiversity], title="Birds"
    )
    make_offering(partner, status="published", sessions=[in_days(5)], title="No theme")
    page = client.get("/offerings").get_data(as_text=True)
    assert '<img class="cover cover--default " src="/static/covers/biodiversity.svg"' in page
    assert 'src="/static/covers/default.svg"' in page
    assert re.search(r'class="monogram monogram--\d logo--32 " aria-hidden="true">창</span>', page)
    assert f'<a class="chip" href="/themes/{biodiversity.slug}">' in page
    for name in ("biodiversity.svg", "default.svg"):
        art = fetched(client, f"/static/covers/{name}")
        assert art.status_code == 200 and art.mimetype == "image/svg+xml"
        assert b"<text" not in art.data and b"<script" not in art.data


def test_the_date_badge_gives_day_and_month_in_the_offerings_zone(
    client, make_partner, make_offering
):
    from datetime import UTC, datetime

    partner = make_partner()
    # 16:00 UTC on the 30th is 01:00 on the 1st in Seoul.
    start = datetime(2099, 4, 30, 16, 0, tzinfo=UTC)
    make_offering(partner, status="published", sessions=[(start, start.replace(hour=18))])
    page = client.get("/offerings?from=2099-04-01").get_data(as_text=True)
    assert re.search(r'date-badge__day">1</span> <span class="date-badge__month">May<', page)
    korean = client.get("/offerings?from=2099-04-01", headers={"Accept-Language": "ko"})
    assert 'date-badge__month">5월<' in korean.get_data(as_text=True)


def test_covers_and_logos_add_no_query_to_the_catalog(
    app, client, count_queries, make_partner, make_offering
):
    from tests.test_queries import _bulk_offerings, statements_for

    partner = make_partner()
    _bulk_offerings(app, partner, 4)
    plain = statements_for(client, count_queries, "/offerings")
    partners_page = statements_for(client, count_queries, "/partners/")
    with_logo = make_partner()
    ids = _bulk_offerings(app, with_logo, 8)
    with app.app_context():
        db.session.get(Partner, with_logo.id).logo = Image(
            kind="logo", key="f" * 32, width=96, height=96, sizes=[96], alt_ko="로고", alt_en="Logo"
        )
        for number, offering_id in enumerate(ids):
            db.session.get(Offering, offering_id).cover = Image(
                kind="cover",
                key=f"{number:032x}",
                width=1200,
                height=675,
                sizes=[400, 800, 1200],
                alt_ko="그림",
                alt_en="Picture",
            )
        db.session.commit()
    with count_queries() as statements:
        page = client.get("/offerings").get_data(as_text=True)
    assert page.count("/media/") >= 8
    assert len(statements) == plain
    assert statements_for(client, count_queries, "/partners/") == partners_page


def test_housekeeping_deletes_image_files_no_row_uses_after_a_day(app, client, runner, published):
    import os
    import time

    upload(client, cover_path(published), picture())
    root = Path(app.config["MEDIA_ROOT"])
    used = stored_files(app)
    day_old = time.time() - 2 * 86400
    for name in used:
        os.utime(root / name, (day_old, day_old))
    (root / ("0" * 32 + "-400.webp")).write_bytes(b"replaced long ago")
    os.utime(root / ("0" * 32 + "-400.webp"), (day_old, day_old))
    (root / ("1" * 32 + "-400.webp")).write_bytes(b"an upload committing right now")
    (root / "notes.txt").write_text("not ours to delete")
    os.utime(root / "notes.txt", (day_old, day_old))

    result = runner.invoke(args=["housekeeping"])
    assert "deleted image files no cover or logo uses: 1" in result.output
    assert stored_files(app) == sorted([*used, "1" * 32 + "-400.webp", "notes.txt"])


def test_cover_url_gives_absolute_addresses_for_link_previews(app, client, published):
    from learning_platform.media.templating import cover_url

    with app.test_request_context():
        offering = db.session.get(Offering, published.id)
        assert cover_url(offering, 1200, external=True) == (
            "http://localhost/static/covers/climate-action.png"
        )
    upload(client, cover_path(published), picture())
    with app.test_request_context():
        offering = db.session.get(Offering, published.id)
        url = cover_url(offering, 1200, external=True)
        assert re.fullmatch(r"http://localhost/media/[0-9a-f]{32}-1200\.webp", url)
        assert cover_url(offering, 500).endswith("-800.webp")
    png = fetched(client, "/static/covers/climate-action.png")
    assert Pillow.open(io.BytesIO(png.data)).size == (1200, 675)


# Shapes, modes and memory: what Pillow would choke on is refused, what it decodes looks right


def plain_png(size, mode="L") -> bytes:
    buffer = io.BytesIO()
    Pillow.new(mode, size).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "kind"),
    [((400, 20_000), "cover"), ((20_000, 400), "cover"), ((3_000, 300), "logo")],
    ids=["tall-cover", "wide-cover", "banner-logo"],
)
def test_a_long_and_narrow_image_is_refused_next_to_the_field_not_a_500(
    app, client, published, organizer, login, make_person, size, kind
):
    """A few KB of 400 x 20,000 pixels passes the byte and pixel limits, but WebP holds no
    more than 16,383 pixels on a side: refused (before it is decoded), with the reason."""
    path = cover_path(published)
    if kind == "logo":
        client.submit("/logout", page="/")
        login(make_person(admin=True))
        path = f"/admin/partners/{organizer[1].slug}/logo"
    data = plain_png(size)
    assert len(data) < 100_000
    response = upload(client, path, data, "long.png")
    assert response.status_code == 422
    error = re.search(r'id="image-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert "too long and narrow" in error.group(1)
    assert image_rows(app) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("failure", [ValueError("encoder error -2"), OSError, MemoryError])
def test_whatever_pillow_fails_on_is_refused_next_to_the_field(
    app, client, published, monkeypatch, failure
):
    from learning_platform.media import images

    def broken(_picture, _kind):
        raise failure

    monkeypatch.setattr(images, "_encode", broken)
    response = upload(client, cover_path(published), picture())
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP image we can read" in response.get_data(as_text=True)
    assert image_rows(app) == 0
    assert stored_files(app) == []


def png_16_bit_grey(size, value: int) -> bytes:
    """A 16-bit greyscale PNG (scanners, medical and astronomy pictures), every pixel `value`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    width, height = size
    rows = b"".join(b"\x00" + struct.pack(">H", value) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def saved(image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def grey_palette(transparent_index: int) -> bytes:
    image = Pillow.new("P", (500, 300), 0)
    image.putpalette([128, 128, 128, 0, 0, 0] * 128)
    return saved(image, transparency=transparent_index)


GREY = 128
#: Each a mid-grey picture (or what it shows on white), as an upload of that mode arrives.
MODES = {
    "16-bit grey": (png_16_bit_grey((500, 300), 32768), GREY),
    "16-bit grey, big-endian": (saved(Pillow.new("I;16B", (500, 300), 32768)), GREY),
    "8-bit grey": (saved(Pillow.new("L", (500, 300), GREY)), GREY),
    "black and white": (saved(Pillow.new("1", (500, 300), 0)), 0),
    "grey and alpha": (saved(Pillow.new("LA", (500, 300), (GREY, 255))), GREY),
    "black at half alpha": (saved(Pillow.new("LA", (500, 300), (0, 128))), 127),
    "palette": (grey_palette(transparent_index=1), GREY),
    "palette, transparent": (grey_palette(transparent_index=0), 255),
    "CMYK JPEG": (saved(Pillow.new("RGB", (500, 300), (GREY,) * 3).convert("CMYK"), "JPEG"), GREY),
    "RGBA WebP": (saved(Pillow.new("RGBA", (500, 300), (GREY, GREY, GREY, 255)), "WEBP"), GREY),
}


@pytest.mark.parametrize(("data", "expected"), MODES.values(), ids=MODES.keys())
def test_a_cover_of_any_mode_keeps_its_picture(data, expected):
    """A 16-bit grey PNG converted straight to RGB clipped to white; every mode is turned
    into 8-bit colour faithfully (transparency on white)."""
    from learning_platform.media import images
    from learning_platform.models import ImageKind

    processed = images.process(data, ImageKind.COVER, 40_000_000)
    stored = Pillow.open(io.BytesIO(processed.files[400]))
    assert stored.size == (400, 240)
    for channel in stored.convert("RGB").getpixel((10, 10)):
        assert abs(channel - expected) <= 6, (stored.mode, stored.getpixel((10, 10)))


@pytest.mark.parametrize(
    ("mode", "value"), [("F", 0.5), ("F", 32768.0), ("I", 32768), ("I", GREY), ("I;16B", 32768)]
)
def test_wide_integer_and_floating_point_greys_become_mid_grey(mode, value):
    """Modes no accepted format decodes to today, but a Pillow upgrade might."""
    from learning_platform.media import images
    from learning_platform.models import ImageKind

    flat = images._flattened(Pillow.new(mode, (500, 300), value), ImageKind.COVER, (400, 240))
    assert flat.mode == "RGB"
    assert all(abs(channel - GREY) <= 1 for channel in flat.getpixel((5, 5)))


def test_a_logo_keeps_its_transparency():
    from learning_platform.media import images
    from learning_platform.models import ImageKind

    processed = images.process(grey_palette(transparent_index=0), ImageKind.LOGO, 40_000_000)
    stored = Pillow.open(io.BytesIO(processed.files[192]))
    assert stored.mode == "RGBA" and stored.getpixel((10, 10))[3] == 0


MEMORY_SCRIPT = r"""
import resource, struct, sys, zlib
from learning_platform.media import images
from learning_platform.models import ImageKind

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

width = height = 6300  # 39.7 million pixels: under a MEDIA_MAX_PIXELS of 40 million
compressor = zlib.compressobj(9)
idat = b"".join(compressor.compress(b"\x00" * (1 + 2 * width)) for _ in range(height))
idat += compressor.flush()
data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0))
        + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
images.process(data, ImageKind.COVER, 40_000_000)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(data), (after - before) // 1024)
"""


def test_a_small_transparent_png_does_not_cost_a_gigabyte_of_memory():
    """A 77 KB grey+alpha PNG of 6300 x 6300 passes the byte and the pixel limits. Converted
    and composited at full size it held six copies (about 900 MB per upload); reduced a strip
    at a time, only the decoded one (160 MB) is full size."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
        timeout=120,
    )
    size, grown_mb = map(int, result.stdout.split())
    assert size < 100_000
    assert grown_mb < 300, f"{size} bytes of upload took {grown_mb} MB more memory"


# Removing asks first -------------------------------------------------------------------------


def test_removing_a_cover_asks_first_and_keeping_it_changes_nothing(app, client, published):
    upload(client, cover_path(published), picture())
    response = client.submit(cover_path(published) + "/remove", page=cover_path(published))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Remove the cover image?" in page and "Rain gardens" in page
    assert 'name="confirm" type="hidden" value="yes"' in page
    assert f'href="{cover_path(published)}">Keep the cover image</a>' in page
    assert image_rows(app) == 1
    assert "/media/" in client.get(f"/offerings/{published.id}").get_data(as_text=True)


@pytest.mark.parametrize("area", ["workspace", "admin"])
def test_removing_a_logo_asks_first(app, client, login, make_person, make_partner, area):
    manager = make_person(admin=area == "admin")
    partner = make_partner(members=[manager])
    with app.app_context():
        from learning_platform.models import Membership, MembershipRole

        db.session.execute(
            Membership.__table__.update()
            .where(Membership.person_id == manager.id)
            .values(role=MembershipRole.MANAGER)
        )
        db.session.commit()
    login(manager)
    path = (
        f"/workspace/{partner.slug}/logo"
        if area == "workspace"
        else f"/admin/partners/{partner.slug}/logo"
    )
    assert upload(client, path, picture("PNG", size=(400, 400)), "logo.png").status_code == 302
    asked = client.submit(path + "/remove", page=path)
    assert asked.status_code == 200
    assert "Remove the logo?" in asked.get_data(as_text=True)
    assert image_rows(app) == 1
    assert client.submit(path + "/remove", {"confirm": "yes"}, page=path).status_code == 302
    with app.app_context():
        assert db.session.get(Partner, partner.id).logo is None


def test_housekeeping_deletes_an_image_row_nothing_shows_and_its_files(
    app, client, runner, published
):
    """Two uploads of one cover at once: the one that loses leaves a row no offering or
    partner shows, and files only that row names."""
    import os
    import time
    from datetime import timedelta

    from learning_platform.models import utcnow

    upload(client, cover_path(published), picture())
    shown = stored_files(app)
    with app.app_context():
        db.session.add_all(
            [
                Image(
                    kind="cover",
                    key="a" * 32,
                    width=400,
                    height=225,
                    sizes=[400],
                    alt_ko="고아",
                    alt_en="Orphan",
                    created_at=utcnow() - timedelta(days=2),
                ),
                Image(
                    kind="cover",
                    key="b" * 32,
                    width=400,
                    height=225,
                    sizes=[400],
                    alt_ko="방금",
                    alt_en="Committing now",
                    created_at=utcnow(),
                ),
            ]
        )
        db.session.commit()
    root = Path(app.config["MEDIA_ROOT"])
    day_old = time.time() - 2 * 86400
    for key in ("a", "b"):
        (root / f"{key * 32}-400.webp").write_bytes(b"webp")
        os.utime(root / f"{key * 32}-400.webp", (day_old, day_old))
    for name in shown:
        os.utime(root / name, (day_old, day_old))

    result = runner.invoke(args=["housekeeping"])
    assert "deleted images no cover or logo uses: 1" in result.output
    assert "deleted image files no cover or logo uses: 1" in result.output
    assert image_rows(app) == 2
    assert stored_files(app) == sorted([*shown, "b" * 32 + "-400.webp"])


def test_a_phones_48_megapixel_photo_is_taken_but_a_png_that_large_is_not(app, client, published):
    """A JPEG is decoded at a reduced scale, so a phone's full-resolution photo (8000 x 6000,
    over MEDIA_MAX_PIXELS) costs little and is taken; a PNG of as many pixels would be decoded
    whole, and is refused before that."""
    plain = Pillow.new("RGB", (8000, 6000), (30, 120, 90))
    photo, drawing = io.BytesIO(), io.BytesIO()
    plain.save(photo, "JPEG", quality=70)
    plain.save(drawing, "PNG")
    assert upload(client, cover_path(published), photo.getvalue(), "phone.jpg").status_code == 302
    assert image_rows(app) == 1
    refused = upload(client, cover_path(published), drawing.getvalue(), "scan.png")
    assert refused.status_code == 422
    assert "This image has too many pixels" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("เมืองชางวอน", "ม"),  # a leading vowel is written first, said after its consonant
        ("แม่น้ำ", "ม"),
        ("ไทย", "ท"),
        ("โรงเรียน ชุมชน", "รช"),
        ("ยูเนสโก กรุงเทพฯ", "ยก"),
        ("창원특례시", "창"),
        ("UNESCO Bangkok", "UB"),
        ("élan vital", "ÉV"),
    ],
)
def test_initials_stand_on_the_first_consonant_of_a_thai_name(name, expected):
    from learning_platform.media.templating import initials

    assert initials(name) == expected
