"""The site's pages for everyone, their editing for site admins, and agreeing to a new version."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from learning_platform.boundary import unit_of_work
from learning_platform.forms import render_form
from learning_platform.i18n import current_language
from learning_platform.languages import BY_CODE, INTERFACE_LANGUAGES
from learning_platform.models import AGREED_PAGES, PageSlug
from learning_platform.pages import forms, services
from learning_platform.policy import requires
from learning_platform.security import safe_next

bp = Blueprint("pages", __name__)

#: What each page is called in lists and links, in the reader's language.
PAGE_NAMES = {
    PageSlug.ABOUT: _l("About us"),
    PageSlug.PRIVACY: _l("Privacy policy"),
    PageSlug.TERMS: _l("Terms of use"),
    PageSlug.CONTACT: _l("Contact"),
}


@bp.app_context_processor
def review_context() -> dict:
    """What the notice in base.html needs; asked for only when the person has pages to review
    (`Person.policy_review_due`, loaded with the person), so other pages run no query for it."""

    def pages_to_review() -> list[services.ChangedPage]:
        if "pages_to_review" not in g:
            g.pages_to_review = (
                services.pages_to_review(current_user) if current_user.is_authenticated else []
            )
        return g.pages_to_review

    return {"pages_to_review": pages_to_review, "policy_names": PAGE_NAMES}


def _show(slug: PageSlug):
    page = services.shown_page(slug, current_language())
    return render_template(
        "pages/page.html",
        page=page,
        agreed=slug in AGREED_PAGES,
        language_name=BY_CODE[page.text.language].native_name,
        missing_name=BY_CODE[page.missing_language].label if page.missing_language else None,
    )


@bp.get("/about")
def about():
    return _show(PageSlug.ABOUT)


@bp.get("/privacy")
def privacy():
    return _show(PageSlug.PRIVACY)


@bp.get("/terms")
def terms():
    return _show(PageSlug.TERMS)


@bp.get("/contact")
def contact():
    return _show(PageSlug.CONTACT)


@bp.post("/account/agreements")
@requires("use_account")
def agree():
    """The person has read the new versions they were told about, and agrees to them."""
    with unit_of_work():
        services.record_consent(current_user._get_current_object())
        flash(_("Thank you. You have agreed to the current privacy policy and terms."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.profile")))


# Site admins ---------------------------------------------------------------------------------


@bp.get("/admin/pages/")
@requires("administer")
def admin_index():
    return render_template(
        "admin/pages.html",
        rows=services.page_list(),
        names=PAGE_NAMES,
        languages=INTERFACE_LANGUAGES,
        language_names={code: BY_CODE[code].native_name for code in INTERFACE_LANGUAGES},
        agreed_pages=AGREED_PAGES,
    )


def _page_and_language(page: str, language: str) -> PageSlug:
    if language not in INTERFACE_LANGUAGES:
        abort(404)
    try:
        return PageSlug(page)
    except ValueError:
        abort(404)


@bp.route("/admin/pages/<page>/<language>", methods=["GET", "POST"])
@requires("administer")
def admin_edit(page: str, language: str):
    slug = _page_and_language(page, language)
    current = services.editable_text(slug, language)
    form = forms.PageTextForm(obj=current)
    if slug not in AGREED_PAGES:
        del form.new_version
    if form.validate_on_submit():
        with unit_of_work(form):
            saved = services.save_text(
                slug,
                language,
                form.title.data,
                form.body.data or "",
                new_version=bool(form.new_version.data) if "new_version" in form else False,
            )
            if slug in AGREED_PAGES and form.new_version.data:
                flash(
                    _(
                        "Saved as version %(version)s. People who agreed to an earlier version"
                        " will be asked to read it.",
                        version=saved.version,
                    ),
                    "success",
                )
            else:
                flash(_("%(page)s is saved.", page=PAGE_NAMES[slug]), "success")
            return redirect(url_for("pages.admin_index"))
    return render_form(
        "admin/page_form.html",
        form,
        slug=slug,
        page_name=PAGE_NAMES[slug],
        language=language,
        language_name=BY_CODE[language].native_name,
        public_url=url_for(f"pages.{slug.value}"),
    )
