"""Sign-in by emailed link, sign-out, and the host's profile."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meetup.core.errors import DomainError
from meetup.core.i18n import gettext as _
from meetup.core.i18n import lazy_gettext
from meetup.hosts import service
from meetup.hosts.forms import LoginForm, ProfileForm
from meetup.media import queries as media_queries
from meetup.media import service as media
from meetup.media.pictures import Purpose
from meetup.media.uploads import field_picture
from meetup.web.auth import (
    DOOR,
    current_host,
    require_member,
    require_owner,
    sign_in,
    sign_out,
    sign_out_everywhere,
)
from meetup.web.csrf import checked_form
from meetup.web.forms import bind, required
from meetup.web.pages import PageMeta, render

LOGIN_META = PageMeta(title=lazy_gettext("Sign in"), path="/login", noindex=True)
LOGOUT_META = PageMeta(title=lazy_gettext("Sign out"), noindex=True)


async def login(request: Request) -> Response:
    if request.method == "GET":
        if await current_host(request):
            return RedirectResponse(await _landing(request), status_code=303)
        return render(
            request, "hosts/login.html", {"form": LoginForm(), "meta": LOGIN_META}
        )
    form = bind(LoginForm, await checked_form(request))
    if not form.validate():
        return render(
            request, "hosts/login.html", {"form": form, "meta": LOGIN_META}, status=400
        )
    if await request.app.state.rate_limits.check(request, "login", form.email.data):
        await service.request_login(
            request.app.state.db,
            required(form.email.data),
            request.app.state.settings.login_link_pattern,
            request.app.state.mail,
        )
    return render(
        request, "hosts/login_sent.html", {"email": form.email.data, "meta": LOGIN_META}
    )


async def login_link(request: Request) -> Response:
    """GET shows one button; only the POST signs in, so a mail scanner that
    fetches the link cannot use it up."""
    token = request.path_params["token"]
    db = request.app.state.db
    if request.method == "GET":
        found = await service.valid_login_token(db, token)
        # The page's language: the mail that brought them here was in it.
        context = {
            "token": token,
            "host": {"language": found["page_language"]},
            "meta": LOGIN_META,
        }
        return render(request, "hosts/login_confirm.html", context)
    await checked_form(request)
    host_id, member_id = await service.use_login_token(db, token)
    await sign_in(request, host_id, member_id)
    return RedirectResponse(await _landing(request), status_code=303)


async def _landing(request: Request) -> str:
    """Where a signed-in member starts: the dashboard, or for a door helper
    the doors they may run."""
    member = await current_host(request)
    name = "admin:doors" if member and member["role"] == DOOR else "admin:home"
    return str(request.url_for(name))


async def logout(request: Request) -> Response:
    if request.method == "GET":
        member = await current_host(request)
        context: dict[str, object] = {"meta": LOGOUT_META}
        if member is not None:  # in their back office's language
            context["host"] = {"language": member["language"]}
        return render(request, "hosts/logout.html", context)
    await checked_form(request)
    await sign_out(request)
    return RedirectResponse(request.url_for("home"), status_code=303)


async def sign_out_all(request: Request) -> Response:
    """The profile's "sign out everywhere": for a lost phone or a shared computer."""
    host = await require_member(request)
    await checked_form(request)
    await sign_out_everywhere(request, host["member_id"])
    return RedirectResponse(request.url_for("login"), status_code=303)


async def profile(request: Request) -> Response:
    host = await require_owner(request)
    db = request.app.state.db
    context = {
        "host": host,
        "photo_digest": await media_queries.host_photo_digest(db, host["id"]),
        "meta": PageMeta(title=_("Your profile"), noindex=True),
    }
    if request.method == "GET":
        form = bind(
            ProfileForm,
            **{
                key: host[key]
                for key in ("name", "handle", "bio", "timezone", "language")
            },
        )
        return render(request, "admin/profile.html", {**context, "form": form})
    submitted = await checked_form(request, max_files=1)
    form = bind(ProfileForm, submitted)
    valid = form.validate()
    photo = await field_picture(form.photo, submitted, Purpose.PHOTO)
    if valid and not form.photo.errors:
        try:
            await service.update_profile(db, host["id"], form.data)
        except DomainError as error:
            form.handle.errors = [error.message]
        else:
            if photo or form.remove_photo.data:
                await media.set_host_photo(db, host["id"], photo)
            return RedirectResponse(request.url_for("admin:profile"), status_code=303)
    return render(request, "admin/profile.html", {**context, "form": form}, status=400)


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/login/{token}", login_link, methods=["GET", "POST"], name="login_link"),
    Route("/logout", logout, methods=["GET", "POST"], name="logout"),
]

admin_routes = [
    Route("/profile", profile, methods=["GET", "POST"], name="profile"),
    Route("/sign-out-everywhere", sign_out_all, methods=["POST"], name="sign_out_all"),
]
