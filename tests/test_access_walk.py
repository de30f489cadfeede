"""The access walk: every URL pattern and every API operation, as every role (SPEC §8).

No list of pages lives here. The walk enumerates Django's URL resolver (skipping the Django
admin, static and media files, the API's own patterns and password-reset token links) and
every path operation of the NinjaAPI at /api/v1/, then requests each one as `anonymous`,
`contractor` (Walsh's clerk), `other_contractor` (Pulice's clerk), `reviewer`, `lawyer`,
`outsider` (a coalition that does not monitor the project) and `admin`: a GET, and for
every route an empty POST (web) or each declared method with an empty JSON body (API).
Each request runs in a savepoint that is rolled back, so no request changes what the next
one sees.

URL kwargs are filled by NAME from one rich fixture (`KWARGS` below: slug, contractor,
key, period, report_id, flag_id, memo_id, action_id, token_id, notification_id, entry_id).
A new kwarg name fails the walk until it is added to `KWARGS` and `VISIBLE`.

What each role should get is derived, never listed per URL:
- nobody ever gets a 500;
- anonymous: web pages redirect to the login page, API operations answer 401
  (views marked `@access.public`, such as the login page, are open to all);
- a URL naming an object the role may not see (decided by the `projects/access.py`
  querysets, see `VISIBLE`) answers 403 or 404 (405 for a method the view does not take;
  for the API also the 422 django-ninja gives before the operation runs) and never 200:
  so `other_contractor` never opens Walsh's reports or flags, `outsider` nothing of the
  project, a contractor no memo, nobody another person's token or notification;
- a view that declares its roles with `@access.only_roles(...)` answers 403 or 404 to the
  others; the roles it names, and a program admin on any undeclared view, get an answer
  below 400 to a GET when they may see every object the URL names; no role that may see
  every object gets a 404 or 401 to a GET;
- no 200 answer shows a worker's name to anyone but the worker's contractor, the law
  center and admins, the project's name to the outsider, or an internal flag comment to a
  contractor.

Convention for new pages: use `@login_required` and the access querysets; when a page is
for some roles only, put `@access.only_roles(...)` under `@login_required` (or under the
router's decorator for the API) so the walk knows, and the page is covered without editing
this file.
"""

import datetime
import json
import re
import traceback
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from ninja.utils import normalize_path

import cba.urls  # noqa: F401  (mounts the API's routers)
from cba.api import api
from compliance.models import (
    EnforcementAction,
    Evaluation,
    Flag,
    FlagEvent,
    Memo,
    Notification,
    ProgressEntry,
    Worker,
)
from projects import access
from projects.tokens import api_token_create
from tests.conftest import make_commitment, make_report

ROLES = ["anonymous", "contractor", "other_contractor", "reviewer", "lawyer", "outsider", "admin"]
# The access role (projects/access.py) each actor of the walk has.
ACCESS_ROLE = {
    "contractor": access.CONTRACTOR,
    "other_contractor": access.CONTRACTOR,
    "reviewer": access.REVIEWER,
    "lawyer": access.LAW_CENTER,
    "outsider": access.REVIEWER,
    "admin": access.ADMIN,
}
WALSH_WORKER = "Zephyrine Okonkwo-Lindqvist"
PULICE_WORKER = "Bartholomew Quince-Adeyemi"
INTERNAL_NOTE = "Internal: check the certified payroll against the union hall list"
PROJECT_NAME = "Crenshaw/LAX Line"
SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_KWARGS = {"uidb64", "token"}  # password-reset links: tested in test_auth.py


@dataclass
class World:
    users: dict[str, User | None]
    values: dict[str, object]
    objects: dict[str, object]


@pytest.fixture
def world(
    settings,
    tmp_path,
    project,
    walsh,
    pulice,
    crafts,
    area,
    contractor,
    other_contractor,
    reviewer,
    lawyer,
    outsider,
    admin,
) -> World:
    """A project with one of everything a URL can name, most of it Walsh's."""
    settings.MEDIA_ROOT = tmp_path
    targeted = make_commitment(
        project,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        scope="contractor",
        target_percent="40",
    )
    make_commitment(
        project,
        "wage",
        "wage_floor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    units = make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )
    march = datetime.date(2024, 3, 1)
    Worker.objects.create(contractor=walsh.contractor, worker_key="W-1", name=WALSH_WORKER)
    Worker.objects.create(contractor=pulice.contractor, worker_key="P-1", name=PULICE_WORKER)
    week = datetime.date(2024, 3, 8)
    report = make_report(
        walsh,
        march,
        [{"worker": "W-1", "week_ending": week, "craft": crafts["Carpenter"], "hours": 40}],
        submitted_by=contractor,
    )
    make_report(
        pulice,
        march,
        [{"worker": "P-1", "week_ending": week, "craft": crafts["Laborer"], "hours": 32}],
        submitted_by=other_contractor,
    )
    as_of = datetime.date(2024, 3, 31)
    series = [
        {
            "month": "2024-03",
            "numerator": "0.00",
            "denominator": "40.00",
            "percent": "0.00",
            "cumulative_percent": "0.00",
        }
    ]
    for assignment in (walsh, pulice):
        Evaluation.objects.create(
            project=project,
            commitment=targeted,
            commitment_key="targeted",
            kind="workforce_share",
            group_key=f"a{assignment.pk}",
            assignment=assignment,
            as_of=as_of,
            numerator=0,
            denominator=40,
            actual_percent=0,
            target_percent=40,
            shortfall=16,
            projected_percent=0,
            status="shortfall",
            series=series,
            details={"measure": "hours", "qualifier": "area_resident", "population": "all"},
        )
    flag = Flag.objects.create(
        project=project,
        commitment=targeted,
        commitment_key="targeted",
        kind="shortfall",
        severity="critical",
        group_key=f"a{walsh.pk}",
        assignment=walsh,
        dedupe_key=f"shortfall:targeted:a{walsh.pk}",
        title="Walsh Shea is short of targeted hours",
        figures={"actual_percent": "0.00", "target_percent": "40.00"},
    )
    FlagEvent.objects.create(flag=flag, kind="raised", to_status="open")
    FlagEvent.objects.create(
        flag=flag, actor=reviewer, kind="comment", note=INTERNAL_NOTE, visibility="internal"
    )
    memo = Memo.objects.create(
        project=project,
        assignment=walsh,
        commitment_keys=["targeted"],
        requested_by=lawyer,
        status="ready",
        pdf=ContentFile(b"%PDF-1.4\n%%EOF\n", name="memo.pdf"),
    )
    action = EnforcementAction.objects.create(
        project=project,
        assignment=walsh,
        kind="notice",
        date=datetime.date(2024, 4, 20),
        cure_deadline=datetime.date(2024, 5, 20),
        memo=memo,
        created_by=lawyer,
    )
    entry = ProgressEntry.objects.create(
        commitment=units, date=datetime.date(2024, 3, 15), quantity=12, entered_by=lawyer
    )
    notification = Notification.objects.create(
        user=contractor, flag=flag, event_key=f"raised:{flag.pk}", message=flag.title
    )
    token, _ = api_token_create(user=contractor, name="payroll script")
    return World(
        users={
            "anonymous": None,
            "contractor": contractor,
            "other_contractor": other_contractor,
            "reviewer": reviewer,
            "lawyer": lawyer,
            "outsider": outsider,
            "admin": admin,
        },
        values={
            "slug": project.slug,
            "contractor": walsh.contractor.slug,
            "key": targeted.key,
            "period": "2024-03",
            "report_id": report.pk,
            "flag_id": flag.pk,
            "memo_id": memo.pk,
            "action_id": action.pk,
            "token_id": token.pk,
            "notification_id": notification.pk,
            "entry_id": entry.pk,
        },
        objects={
            "project": project,
            "walsh": walsh,
            "commitment": targeted,
            "report": report,
            "flag": flag,
            "memo": memo,
            "action": action,
            "token": token,
            "notification": notification,
            "entry": entry,
        },
    )


# How the walk fills each URL kwarg: the fixture's value for it.
KWARGS = {
    "slug",
    "contractor",
    "key",
    "period",
    "report_id",
    "flag_id",
    "memo_id",
    "action_id",
    "token_id",
    "notification_id",
    "entry_id",
}

# Whether `user` may see the object a kwarg names, by the access rules.
VISIBLE = {
    "slug": lambda user, o: access.projects_for(user).filter(pk=o["project"].pk).exists(),
    "contractor": lambda user, o: access.assignments_for(user).filter(pk=o["walsh"].pk).exists(),
    "key": lambda user, o: access.commitments_for(user).filter(pk=o["commitment"].pk).exists(),
    "period": lambda user, o: True,
    "report_id": lambda user, o: access.reports_for(user).filter(pk=o["report"].pk).exists(),
    "flag_id": lambda user, o: access.flags_for(user).filter(pk=o["flag"].pk).exists(),
    "memo_id": lambda user, o: access.memos_for(user).filter(pk=o["memo"].pk).exists(),
    "action_id": lambda user, o: (
        access.enforcement_actions_for(user).filter(pk=o["action"].pk).exists()
    ),
    "token_id": lambda user, o: access.api_tokens_for(user).filter(pk=o["token"].pk).exists(),
    "notification_id": lambda user, o: o["notification"].user_id == user.pk,
    "entry_id": lambda user, o: (
        access.commitments_for(user).filter(pk=o["entry"].commitment_id).exists()
    ),
}

# Text that must never reach a role: each is visible only to the roles listed.
SECRETS = {
    WALSH_WORKER: {"contractor", "lawyer", "admin"},
    PULICE_WORKER: {"other_contractor", "lawyer", "admin"},
    INTERNAL_NOTE: {"reviewer", "lawyer", "admin"},
    PROJECT_NAME: {"contractor", "other_contractor", "reviewer", "lawyer", "admin"},
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
        unknown = [name for name in self.kwargs if name not in KWARGS]
        if unknown:
            pytest.fail(
                f"{self.route} takes the URL kwarg(s) {', '.join(unknown)}, which the access walk "
                "cannot fill. Use one of the agreed kwarg names, or add the new name to KWARGS, "
                "VISIBLE and the `world` fixture in tests/test_access_walk.py."
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


def request(client: Client, route: Route, method: str, url: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if route.kind == "api" and method in {"POST", "PUT", "PATCH"}:
        return client.generic(method, url, "{}", content_type="application/json", **headers)
    if method == "POST":
        return client.post(url, {}, **headers)
    return client.generic(method, url, **headers)


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


def judge(role: str, route: Route, method: str, response, hidden: list[str]) -> list[str]:
    """What is wrong with this answer to this role, by the rules of the module docstring."""
    status = response.status_code
    problems = []
    if status >= 500:
        return [f"answered {status}"]
    if route.public:
        return []
    if role == "anonymous":
        if route.kind == "api":
            if status != 401:
                problems.append(f"answered {status} to an anonymous request, not 401")
        elif status != 405 and not (
            status == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
        ):
            problems.append(
                f"answered {status} to an anonymous visitor instead of asking to log in"
            )
        return problems
    refused = status in {403, 404, 405} or (
        route.kind == "api" and is_ninja_validation_error(response)
    )
    allowed = route.allowed_roles
    if hidden:
        if not refused:
            problems.append(
                f"answered {status} although {role} may not see the {', '.join(hidden)} it names"
            )
    elif allowed is not None and ACCESS_ROLE[role] not in allowed:
        if not refused:
            problems.append(
                f"answered {status} although the view is only for {', '.join(sorted(allowed))}"
            )
    elif method == "GET":
        if status in {401, 404}:
            problems.append(f"answered {status} although {role} may see everything it names")
        elif (allowed is not None or role == "admin") and status >= 400 and status != 405:
            problems.append(f"answered {status} to {role}, who may use it")
    if status == 200 and response.get("Content-Type", "").startswith(("text/", "application/json")):
        body = response.content.decode("utf-8", "replace")
        for text, roles in SECRETS.items():
            if role not in roles and text in body:
                problems.append(f"shows {role} the text {text!r}")
    return problems


def walk_as(role: str, world: World) -> list[str]:
    user = world.users[role]
    client = Client()
    token = None
    hidden_by_kwarg = {}
    if user is not None:
        client.force_login(user)
        _, token = api_token_create(user=user, name="access walk")
        hidden_by_kwarg = {name: not see(user, world.objects) for name, see in VISIBLE.items()}
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    failures = []
    for route in all_routes():
        url = route.url(world.values)
        hidden = [name for name in route.kwargs if hidden_by_kwarg.get(name)]
        for method in route.methods:
            if session is not None:
                client.cookies[settings.SESSION_COOKIE_NAME] = session.value
            try:
                with transaction.atomic():
                    response = request(client, route, method, url, token)
                    transaction.set_rollback(True)
            except Exception:
                failures.append(
                    f"{method} {url} as {role}: raised\n{traceback.format_exc(limit=-3)}"
                )
                continue
            for problem in judge(role, route, method, response, hidden):
                failures.append(f"{method} {url} as {role}: {problem}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_every_url_and_api_route_answers_each_role_as_the_access_rules_say(role, world):
    failures = walk_as(role, world)

    assert not failures, "\n".join(failures)


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
        if name not in KWARGS
    }

    assert not unknown, (
        "These URL kwargs are not in the access walk's KWARGS (tests/test_access_walk.py): "
        f"{sorted(unknown)}. Use the agreed names or add them there."
    )


def test_the_walk_notices_a_page_that_leaks(world, settings):
    """The walk's own rules catch a view that forgets the access querysets."""
    route = Route("web", "projects/<slug:slug>/", ["GET"], object(), ["slug"])
    leaky = type("Response", (), {"status_code": 200, "content": PROJECT_NAME.encode()})()
    leaky.get = lambda header, default="": "text/html" if header == "Content-Type" else default

    assert judge("outsider", route, "GET", leaky, ["slug"]) == [
        "answered 200 although outsider may not see the slug it names",
        f"shows outsider the text {PROJECT_NAME!r}",
    ]
