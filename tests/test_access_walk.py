"""The access walk: every URL pattern, every API operation, every stored file, as every role,
reading every answer (SPEC §4, §6, §8; issue 9).

No list of pages lives here. The walk enumerates Django's URL resolver (skipping the Django
admin, static and media files, the API's own patterns and password-reset token links) and
every path operation of the NinjaAPI at /api/v1/, then requests each one as each role of
`tests/walk_fixture.py`: anonymous, contractor A, contractor B, the prime above B, a
coalition reviewer, the law center of another organization, the monitoring law center, the
owner and a program admin. A GET, and for every route an empty POST (web) or each declared
method with an empty JSON body (API). Each request runs in a savepoint that is rolled back,
with empty caches (so a rate limit never answers the walk's hundredth request).

URL kwargs are filled by NAME from the world's scenarios (contractor A on Crenshaw,
contractor B, the prime above B, the other organization's project): every route is walked
once per scenario (duplicate URLs once). A kwarg name the walk cannot fill fails the walk
until it is added to `VISIBLE` here and to the scenarios of `tests/walk_fixture.py`.

What each role should get is derived from `projects/access.py`, never listed per URL:
- nobody ever gets a 500;
- anonymous: web pages redirect to the login page, API operations answer 401 (views
  marked `@access.public` are open to all; a public view naming a project answers 404 to
  everyone unless `access.public_projects()` holds it, and then 200 to a GET);
- a URL naming an object the role may not see (by the access querysets, see `VISIBLE`)
  answers 403 or 404 (405 for a method the view does not take; for the API also the 422
  django-ninja gives before the operation runs), never 200;
- a GET of a stored file that the role may not download (see below) may be refused with
  403 or 404 even when the role sees the objects the URL names;
- a view that declares its roles with `@access.only_roles(...)` answers 403 or 404 to the
  others; the roles it names, and an admin on any undeclared view, get an answer below 400
  to a GET when they may see every object the URL names; no role that may see every object
  gets a 404 or 401 to a GET;
- every body, whatever its status, is read (HTML, JSON, text, every part of a zip such as
  an xlsx or docx workbook, the text of a PDF, any downloaded file) and must not carry a
  marker the role may not read (`tests/walk_fixture.py` says who reads which marker);
- a body that is a stored file (an original upload, a memo PDF, an evidence file) goes only
  to those who may download that file: originals to the filing contractor, the monitoring
  law center and admins (SPEC §8);
- a memo for the `recipient` audience (every memo, while memos have no audience) carries
  no internal note and no worker name; a `counsel` memo is marked privileged on every page
  (SPEC §6).

Two more walks: every stored file's media URL, with DEBUG on, answers no role with the file;
and the flag actions that send e-mail send nobody a marker they could not read on the page.

Convention for new pages: use `@login_required` and the access querysets; when a page is
for some roles only, put `@access.only_roles(...)` under `@login_required` (or under the
router's decorator for the API) so the walk knows, and the page is covered without editing
this file.
"""

import hashlib
import html
import importlib
import io
import json
import re
import traceback
import zipfile
from dataclasses import dataclass

import pypdf
import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, reverse
from ninja.utils import normalize_path

import cba.urls
from cba.api import api
from compliance.enforcement.alerts.services import send_digests
from compliance.models import NotificationPreference
from projects import access
from projects.tokens import api_token_create
from tests.engine_support import run_tasks_synchronously
from tests.walk_fixture import (
    COUNSEL_MARKING,
    ROLES,
    Marker,
    StoredFile,
    World,
    build_world,
)

SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_KWARGS = {"uidb64", "token"}  # password-reset links: tested in test_auth.py
DOCUMENT_SECRETS = {"internal note", "worker name", "SSN", "street address"}


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    return build_world(settings, tmp_path)


def _sees(queryset_of, name):
    return lambda user, o: queryset_of(user).filter(pk=o[name].pk).exists()


# Whether `user` may see the object a kwarg names, by the access rules.
VISIBLE = {
    "slug": _sees(access.projects_for, "project"),
    "contractor": _sees(access.assignments_for, "assignment"),
    "key": _sees(access.commitments_for, "commitment"),
    "period": lambda user, o: True,
    "report_id": _sees(access.reports_for, "report"),
    "flag_id": _sees(access.flags_for, "flag"),
    "memo_id": _sees(access.memos_for, "memo"),
    "action_id": _sees(access.enforcement_actions_for, "action"),
    "token_id": _sees(access.api_tokens_for, "token"),
    "notification_id": lambda user, o: o["notification"].user_id == user.pk,
    "event_id": _sees(access.flags_for, "flag"),
    "mapping_id": _sees(access.export_mappings_for, "mapping"),
    "entry_id": lambda user, o: (
        access.commitments_for(user).filter(pk=o["entry"].commitment_id).exists()
    ),
}
# Which role of access.py each role of the walk has.
ACCESS_ROLE = {
    "contractor_a": access.CONTRACTOR,
    "contractor_b": access.CONTRACTOR,
    "prime_of_b": access.CONTRACTOR,
    "reviewer": access.REVIEWER,
    "other_law_center": access.LAW_CENTER,
    "law_center": access.LAW_CENTER,
    "owner": access.OWNER,
    "admin": access.ADMIN,
}


@dataclass
class Route:
    kind: str  # "web" or "api"
    route: str  # the pattern, for messages
    methods: list[str]
    view: object
    kwargs: list[str]

    @property
    def public(self) -> bool:
        return bool(getattr(self.view, "public", False))

    @property
    def allowed_roles(self) -> frozenset | None:
        return getattr(self.view, "allowed_roles", None)

    def url(self, values: dict) -> str:
        unknown = [name for name in self.kwargs if name not in VISIBLE]
        if unknown:
            pytest.fail(
                f"{self.route} takes the URL kwarg(s) {', '.join(unknown)}, which the access walk "
                "cannot fill. Use one of the agreed kwarg names, or add the new name to VISIBLE "
                "in tests/test_access_walk.py and to the scenarios of tests/walk_fixture.py."
            )
        if self.kind == "web":
            pattern = r"<(?:\w+:)?(\w+)>"
            path = "/" + self.route
        else:
            pattern = r"\{(?:\w+:)?(\w+)\}"
            path = self.route
        return re.sub(pattern, lambda m: str(values[m.group(1)]), path)


def web_routes() -> list[Route]:
    skipped_prefixes = tuple(p.lstrip("/") for p in (settings.STATIC_URL, settings.MEDIA_URL))
    routes = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern))
                continue
            assert isinstance(entry, URLPattern)
            route = prefix + str(entry.pattern)
            if route.lstrip("^").startswith(skipped_prefixes):
                continue
            if "(?P<" in route or route.startswith("^"):
                pytest.fail(
                    f"{route}: the access walk fills path() routes only; use path() with the "
                    "agreed kwarg names instead of re_path()."
                )
            names = re.findall(r"<(?:\w+:)?(\w+)>", route)
            if SKIPPED_KWARGS & set(names):
                continue
            routes.append(Route("web", route, ["GET", "POST"], entry.callback, names))

    walk(get_resolver().url_patterns, "")
    return routes


def api_routes() -> list[Route]:
    root = reverse("api:api-root")
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            route = normalize_path(root + "/".join(p for p in (prefix, path) if p))
            for operation in path_view.operations:
                names = re.findall(r"\{(?:\w+:)?(\w+)\}", route)
                routes.append(
                    Route("api", route, list(operation.methods), operation.view_func, names)
                )
    return routes


def all_routes() -> list[Route]:
    return web_routes() + api_routes()


# Reading what comes back.


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def pdf_metadata(content: bytes) -> str:
    metadata = pypdf.PdfReader(io.BytesIO(content)).metadata or {}
    return " ".join(str(value) for value in metadata.values())


def readable(content: bytes) -> str:
    """Everything a person could read in a body: text, every part of a zip (xlsx, docx, a
    bundle of documents), the text of a PDF."""
    if content.startswith(b"%PDF"):
        return "\n".join([*pdf_pages(content), pdf_metadata(content)])
    if content.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            pass
        else:
            parts = []
            for name in archive.namelist():
                parts.append(name)
                parts.append(readable(archive.read(name)))
            return "\n".join(parts)
    text = content.decode("utf-8", "replace")
    if text.lstrip().startswith(("{", "[")):
        try:
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    # Markup escapes (&amp;, &#x27;) and XML character references hide nothing from a reader.
    return html.unescape(text)


@dataclass
class Reader:
    """One role of the walk: who they are and which markers they may not read."""

    role: str
    user: object
    forbidden: list[Marker]

    def problems_in(self, text: str, where: str = "shows") -> list[str]:
        return [
            f"{where} {self.role} the {m.what} {m.text!r}"
            for m in self.forbidden
            if m.found_in(text)
        ]


def reader_for(world: World, role: str) -> Reader:
    user = world.users[role]
    return Reader(role, user, [m for m in world.markers if not m.may_read(user)])


def document_problems(world: World, reader: Reader, content: bytes, text: str, memo) -> list:
    """What is wrong with a body that is, or belongs to, a stored document."""
    problems = []
    stored: StoredFile | None = world.files.get(hashlib.sha256(content).hexdigest())
    if stored is not None and not stored.may_download(reader.user):
        problems.append(f"lets {reader.role} download the {stored.kind} {stored.name}")
    audience = world.memo_audience.get(memo.pk) if memo is not None else None
    if stored is not None and stored.kind == "memo PDF":
        audience = stored.audience
    if audience == "recipient":
        for marker in world.markers:
            if marker.what in DOCUMENT_SECRETS and marker.found_in(text):
                problems.append(f"the recipient memo carries the {marker.what} {marker.text!r}")
    if audience == "counsel" and stored is not None:
        unmarked = [
            str(number)
            for number, page in enumerate(pdf_pages(content), 1)
            if COUNSEL_MARKING.lower() not in " ".join(page.split()).lower()
        ]
        if unmarked:
            problems.append(
                f"the counsel memo lacks {COUNSEL_MARKING!r} on page(s) {', '.join(unmarked)}"
            )
    return problems


def is_ninja_validation_error(response) -> bool:
    """django-ninja refuses a malformed request before the operation runs: its errors say
    where (`in`: query, path, body, form) the bad parameter was (cba/api.py)."""
    if response.status_code != 422:
        return False
    try:
        errors = json.loads(response.content).get("errors")
        return bool(errors) and all("in" in error for error in errors)
    except (ValueError, AttributeError, TypeError):
        return False


def judge_public(route: Route, method: str, status: int, public_project) -> list[str]:
    """A public view naming a project: 404 unless the project is public (SPEC §7.4)."""
    if "slug" not in route.kwargs or public_project is None:
        return []
    if not public_project:
        return [] if status in {404, 405} else [f"answered {status} for a project not public"]
    if method == "GET" and status != 200:
        return [f"answered {status} to a GET of a public project"]
    return []


def judge_status(
    role: str, route: Route, method: str, response, hidden: list[str], public_project=None
) -> list[str]:
    """What is wrong with this status for this role, by the rules of the module docstring.
    `public_project`: whether the project the URL names is public (None: no project)."""
    status = response.status_code
    if status >= 500:
        return [f"answered {status}"]
    if route.public:
        return judge_public(route, method, status, public_project)
    if role == "anonymous":
        if route.kind == "api":
            return [] if status == 401 else [f"answered {status} to an anonymous request, not 401"]
        if status == 405 or (
            status == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
        ):
            return []
        return [f"answered {status} to an anonymous visitor instead of asking to log in"]
    refused = status in {403, 404, 405} or (
        route.kind == "api" and is_ninja_validation_error(response)
    )
    allowed = route.allowed_roles
    if hidden:
        if not refused:
            return [f"answered {status} although {role} may not see the {', '.join(hidden)}"]
    elif allowed is not None and ACCESS_ROLE[role] not in allowed:
        if not refused:
            return [f"answered {status} although the view is only for {', '.join(sorted(allowed))}"]
    elif method == "GET":
        if status in {401, 404}:
            return [f"answered {status} although {role} may see everything it names"]
        if (allowed is not None or role == "admin") and status >= 400 and status != 405:
            return [f"answered {status} to {role}, who may use it"]
    return []


def judge(world, reader: Reader, route: Route, method: str, response, hidden, memo, scenario=None):
    public_project = None
    if scenario is not None and "slug" in route.kwargs:
        project = scenario.objects["project"]
        public_project = access.public_projects().filter(pk=project.pk).exists()
    problems = judge_status(reader.role, route, method, response, hidden, public_project)
    content = body_of(response)
    if content:
        text = readable(content)
        problems += reader.problems_in(text)
        problems += document_problems(world, reader, content, text, memo)
    return problems


def request(client: Client, route: Route, method: str, url: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if route.kind == "api" and method in {"POST", "PUT", "PATCH"}:
        return client.generic(method, url, "{}", content_type="application/json", **headers)
    if method == "POST":
        return client.post(url, {}, **headers)
    return client.generic(method, url, **headers)


def stored_file_at(world: World, url: str) -> StoredFile | None:
    """The stored file this URL serves to a program admin, who may download every file."""
    client = Client()
    client.force_login(world.users["admin"])
    with transaction.atomic():
        content = body_of(client.get(url))
        transaction.set_rollback(True)
    return world.files.get(hashlib.sha256(content).hexdigest())


def refusal_expected(world, reader, route, method, problems, visible_scenarios) -> bool:
    """A file download refused to a role that may see the objects the URL names but not
    download the files the route serves (the reviewer and the owner, for original uploads):
    the route serves, in a scenario the role sees, a file the role may not download."""
    if method != "GET" or not problems:
        return False
    if not problems[0].startswith(("answered 403", "answered 404")):
        return False
    for scenario in visible_scenarios:
        stored = stored_file_at(world, route.url(scenario.values))
        if stored is not None and not stored.may_download(reader.user):
            return True
    return False


def walk_as(role: str, world: World) -> list[str]:
    reader = reader_for(world, role)
    user = reader.user
    client = Client()
    token = None
    if user is not None:
        client.force_login(user)
        _, token = api_token_create(user=user, name="access walk")
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    hidden_by_scenario = [
        {name: user is None or not see(user, s.objects) for name, see in VISIBLE.items()}
        for s in world.scenarios
    ]
    failures, done = [], set()
    for route in all_routes():
        for scenario, hidden_by_kwarg in zip(world.scenarios, hidden_by_scenario, strict=True):
            url = route.url(scenario.values)
            hidden = [n for n in route.kwargs if hidden_by_kwarg.get(n) and user is not None]
            memo = scenario.objects["memo"] if "memo_id" in route.kwargs else None
            for method in route.methods:
                if (method, url) in done:
                    continue
                done.add((method, url))
                if session is not None:
                    client.cookies[settings.SESSION_COOKIE_NAME] = session.value
                for cache in caches.all():
                    cache.clear()  # a rate limit counts each request of the walk once
                try:
                    with transaction.atomic():
                        response = request(client, route, method, url, token)
                        problems = judge(
                            world, reader, route, method, response, hidden, memo, scenario
                        )
                        transaction.set_rollback(True)
                    visible = [
                        sc
                        for sc, h in zip(world.scenarios, hidden_by_scenario, strict=True)
                        if not any(h.get(n) for n in route.kwargs)
                    ]
                    if refusal_expected(world, reader, route, method, problems, visible):
                        problems = problems[1:]
                except Exception:
                    failures.append(
                        f"{method} {url} as {role}: raised\n{traceback.format_exc(limit=-3)}"
                    )
                    continue
                failures += [f"{method} {url} as {role}: {p}" for p in problems]
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_every_url_and_api_route_answers_each_role_only_what_it_may_read(role, world):
    failures = walk_as(role, world)

    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)


@pytest.fixture
def media_served_as_in_debug(settings):
    """The URLs `make demo` serves: DEBUG on, so any media route of cba/urls.py is mounted."""
    debug = settings.DEBUG
    settings.DEBUG = True
    importlib.reload(cba.urls)
    clear_url_caches()
    yield
    settings.DEBUG = debug
    importlib.reload(cba.urls)
    clear_url_caches()


def test_no_stored_file_is_served_by_its_media_url_to_any_role(world, media_served_as_in_debug):
    failures = []
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for stored in world.files.values():
            url = f"/{settings.MEDIA_URL.strip('/')}/{stored.name}"
            response = client.get(url)
            content = body_of(response)
            if response.status_code == 200 or stored.content in content:
                failures.append(
                    f"GET {url} as {role}: answered {response.status_code} with the "
                    f"{stored.kind}, which only a view asking access.py may serve"
                )
    assert not failures, "\n".join(failures)


def test_flag_e_mails_carry_nothing_a_recipient_could_not_read_on_the_page(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run_tasks_synchronously(settings, monkeypatch)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users = world.users
    flag_a, flag_b = world.flags["a"], world.flags["b"]

    def internal_note(text, flag) -> Marker:
        def may_read(user) -> bool:
            return access.flags_for(user).filter(pk=flag.pk).exists() and access.role_of(user) in {
                access.REVIEWER,
                access.LAW_CENTER,
                access.ADMIN,
            }

        return Marker(text, "internal note", may_read)

    posted = [
        ("reviewer", "web", flag_b, "escalate", "Escalation note (kestrel): Recommend a notice"),
        ("law_center", "web", flag_b, "comment", "Counsel comment (plover): strong case"),
        ("reviewer", "api", flag_a, "escalate", "Escalation note (avocet): via the API"),
        ("law_center", "web", flag_a, "resolve", "Resolution note (dunlin): settled privately"),
    ]
    notes = [internal_note(note, flag) for _, _, flag, _, note in posted]
    for role, door, flag, action, note in posted:
        client = Client()
        client.force_login(users[role])
        with django_capture_on_commit_callbacks(execute=True):
            if door == "web":
                response = client.post(
                    f"/flags/{flag.pk}/",
                    {"action": action, "note": note, "visibility": "internal"},
                )
            else:
                response = client.post(
                    f"/api/v1/flags/{flag.pk}/transition",
                    {"action": action, "note": note, "visibility": "internal"},
                    content_type="application/json",
                )
        assert response.status_code in {200, 302}, (role, action, response.content[:500])
    with django_capture_on_commit_callbacks(execute=True):
        client = Client()
        client.force_login(users["contractor_b"])
        client.post(f"/flags/{flag_b.pk}/", {"action": "dispute", "note": "We paid the rate"})
    for user in users.values():
        if user is not None:
            NotificationPreference.objects.update_or_create(
                user=user, defaults={"email": NotificationPreference.Email.DIGEST}
            )
    send_digests()

    role_by_address = {u.email: role for role, u in users.items() if u is not None}
    failures = []
    assert mail.outbox, "the flag actions sent no e-mail at all"
    for message in mail.outbox:
        for address in message.to:
            role = role_by_address.get(address)
            if role is None:
                continue
            reader = reader_for(world, role)
            reader.forbidden += [m for m in notes if not m.may_read(reader.user)]
            text = "\n".join(
                [message.subject, message.body]
                + [content for content, _ in getattr(message, "alternatives", [])]
            )
            failures += [
                f"e-mail {message.subject!r} to {address}: {p}"
                for p in reader.problems_in(text, where="sends")
            ]
    assert not failures, "\n".join(failures)


def test_a_prime_opens_its_subs_pages_and_a_sub_neither_its_primes_nor_a_siblings(world):
    """Issue 13: every page naming a contractor, GET as the prime above B with B's values
    answers (200, or 403 where only B may act: upload, add a sub); as B with the prime's or
    the sibling's values it answers 404 (405 for a page that takes POST only)."""
    by_name = {s.name: s for s in world.scenarios}
    b_values = by_name["contractor B on Crenshaw"].values
    prime_values = by_name["the prime above B on Crenshaw"].values
    sibling_values = {**prime_values, "contractor": world.assignments["sibling"].contractor.slug}
    prime, sub = Client(), Client()
    prime.force_login(world.users["prime_of_b"])
    sub.force_login(world.users["contractor_b"])
    routes = [r for r in web_routes() if "contractor" in r.kwargs and "GET" in r.methods]
    failures, opened = [], set()
    for route in routes:
        status = prime.get(route.url(b_values)).status_code
        if status not in {200, 302, 403, 405}:
            failures.append(f"GET {route.url(b_values)} as the prime answered {status}")
        if status == 200:
            opened.add(route.route)
        for values in (prime_values, sibling_values):
            status = sub.get(route.url(values)).status_code
            if status not in {404, 405}:  # 405: a POST-only page, which says nothing
                failures.append(f"GET {route.url(values)} as B answered {status}, not 404")
    assert not failures, "\n".join(failures)
    assert {
        "projects/<slug:slug>/contractors/<slug:contractor>/reports/",
        "projects/<slug:slug>/contractors/<slug:contractor>/standing/",
    } <= opened


def test_the_walk_finds_the_pages_and_the_api_operations(db):
    routes = {(r.kind, r.route) for r in all_routes()}

    assert ("web", "") in routes
    assert ("web", "projects/<slug:slug>/") in routes
    assert ("web", "account/tokens/<int:token_id>/revoke/") in routes
    assert ("api", "/api/v1/projects/{slug}") in routes
    assert ("api", "/api/v1/projects/definition") in routes
    assert not any(route.startswith("admin/") for _, route in routes)


def test_every_url_kwarg_is_one_the_walk_can_fill(db):
    unknown = {
        f"{route.route}: {name}"
        for route in all_routes()
        for name in route.kwargs
        if name not in VISIBLE
    }

    assert not unknown, (
        "These URL kwargs are not in the access walk's VISIBLE (tests/test_access_walk.py): "
        f"{sorted(unknown)}. Use the agreed names or add them there and to the scenarios."
    )


def test_the_walk_reads_workbooks_pdfs_and_escaped_markup():
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", "<si><t>Zephyrine   Okonkwo</t></si>")
    marker = Marker("Zephyrine Okonkwo", "worker name", lambda user: False)
    ssn = Marker("518-62-9437", "SSN", lambda user: False)

    assert marker.found_in(readable(book.getvalue()))
    assert marker.found_in(readable(b"<p>zephyrine\nokonkwo</p>"))
    assert ssn.found_in(readable(b"<ssn><![CDATA[518]]><![CDATA[629437]]></ssn>"))
    assert not ssn.found_in(readable(b"518-62-9430 7"))


def test_the_walk_notices_a_page_that_leaks(world):
    """The walk's own rules catch a view that forgets the access querysets."""
    route = Route("web", "projects/<slug:slug>/", ["GET"], object(), ["slug"])
    leaky = type("Response", (), {"status_code": 200, "content": b"Harbor Gateway Terminal"})()
    reader = reader_for(world, "reviewer")

    assert judge(world, reader, route, "GET", leaky, ["slug"], None) == [
        "answered 200 although reviewer may not see the slug",
        "shows reviewer the project name 'Harbor Gateway Terminal'",
    ]


# Issue 16: the public pages, once a project of the walk is public.
# What a public page names: the project and its contractors (as Boston does).
PUBLIC_READS = {"project name", "project slug", "contractor name", "contractor slug"}


def test_a_public_project_shows_everyone_its_figures_and_nothing_the_walk_hides(world):
    """Crenshaw's agreement made public: every public route, as every role (anonymous too),
    answers a GET with 200 and shows none of the walk's hidden markers (worker names, SSNs,
    street addresses, notes, ledger notes, the other project) beyond what a public page names:
    the project and its contractors. Harbor's public URLs still answer 404."""
    from compliance.evaluation.public.figures import public_figures_refresh

    crenshaw = world.scenarios[0].objects["project"]
    crenshaw.agreements.update(public=True)
    public_figures_refresh(project=crenshaw)
    routes = [r for r in web_routes() if r.public and r.route.startswith("public/")]
    assert {"public/", "public/projects/<slug:slug>/", "public/projects/<slug:slug>.csv"} <= {
        r.route for r in routes
    }
    harbor = next(s for s in world.scenarios if s.objects["project"].pk != crenshaw.pk)
    named = {crenshaw.name, crenshaw.slug}
    for assignment in crenshaw.assignments.select_related("contractor"):
        named |= {assignment.contractor.name, assignment.contractor.slug}
    failures = []
    for role in ROLES:
        reader = reader_for(world, role)
        client = Client()
        if reader.user is not None:
            client.force_login(reader.user)
        reads = [m for m in reader.forbidden if not (m.what in PUBLIC_READS and m.text in named)]
        reader = Reader(role, reader.user, reads)
        for route in routes:
            for scenario in (world.scenarios[0], harbor):
                url = route.url(scenario.values)
                response = client.get(url)
                expected = 404 if scenario is harbor and "slug" in route.kwargs else 200
                if response.status_code != expected:
                    failures.append(f"GET {url} as {role}: {response.status_code}, not {expected}")
                if scenario is harbor and "slug" in route.kwargs:
                    continue
                text = readable(body_of(response))
                failures += [f"GET {url} as {role}: {p}" for p in reader.problems_in(text)]
    assert not failures, "\n".join(failures)
