"""The public pages and downloads (SPEC §7.4): no login, only public projects, read from the
stored `PublicFigures`, in a fixed number of queries whatever the project's size; the CSV
and JSON bodies are kept in the cache under the figures' ETag. Every answer carries an ETag
and Last-Modified, may be cached by anyone for five minutes, and a conditional GET gets a
304.

`?language=es` (or `en`) picks the language, so each language has its own stable URL; else
the language cookie or the browser's, as everywhere.
"""

import csv
import json

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition, require_safe

from compliance.evaluation.public import downloads, pages
from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import PublicFigures
from projects import access

MAX_AGE = 300
# What the page shows: everything but the worker-hours table, which only the downloads carry.
PAGE_KEYS = (
    "project",
    "min_workers",
    "headline",
    "wages_to_target_groups",
    "damages",
    "reporting",
    "trades",
    "commitments",
    "contractors",
    "rules",
    "worker_hours_count",
)
CHUNK = 256 * 1024
LANGUAGES = {code for code, _ in settings.LANGUAGES}


def public_language(request: HttpRequest) -> str:
    chosen = request.GET.get("language", "")
    return chosen if chosen in LANGUAGES else translation.get_language()


def _figures(request: HttpRequest, slug: str) -> PublicFigures:
    """The project's stored figures (404 unless public), gathered now if never gathered."""
    cached = getattr(request, "_public_figures", None)
    if cached is not None and cached.project.slug == slug:
        return cached
    project = access.public_project(slug)
    # The figures themselves (megabytes for a large project) are read only where needed.
    row = PublicFigures.objects.filter(project=project).defer("figures").first()
    if row is None:
        public_figures_refresh(project=project)
        row = PublicFigures.objects.filter(project=project).defer("figures").first()
    row.project = project
    request._public_figures = row
    return row


def _etag(request: HttpRequest, slug: str, *, per_language: bool = True) -> str:
    row = _figures(request, slug)
    return f"{row.etag[:32]}-{public_language(request)}" if per_language else row.etag[:32]


def _modified(request: HttpRequest, slug: str):
    return _figures(request, slug).computed_at


def _cacheable(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    language = public_language(request)
    with translation.override(language):
        response = render(request, template, {**context, "language": language})
    response["Content-Language"] = language
    return _cacheable(response)


@access.public
@require_safe
def public_index(request: HttpRequest) -> HttpResponse:
    """The public projects and policies (the policies' terms said in the visitor's language)."""
    with translation.override(public_language(request)):
        context = pages.index_context()
    return _render(request, "public/index.html", context)


@access.public
@require_safe
@condition(etag_func=_etag, last_modified_func=_modified)
def public_project_page(request: HttpRequest, slug: str) -> HttpResponse:
    row = _figures(request, slug)
    keys = PAGE_KEYS
    parts = PublicFigures.objects.filter(pk=row.pk).values(*[f"figures__{k}" for k in keys])[0]
    figures = {k: parts[f"figures__{k}"] for k in keys}
    with translation.override(public_language(request)):
        context = pages.project_context(row, figures)
    return _render(request, "public/project.html", context)


def _csv_etag(request: HttpRequest, slug: str) -> str:
    """The CSV holds codes and figures only: one version in every language."""
    return _etag(request, slug, per_language=False)


@access.public
@require_safe
@condition(etag_func=_csv_etag, last_modified_func=_modified)
def public_project_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    row = _figures(request, slug)

    class Echo:
        def write(self, value: str) -> str:
            return value

    # The table is the same for every visitor until the figures change: kept by its ETag.
    key = f"public-csv:{row.etag}"
    lines = cache.get(key)
    if lines is None:
        figures = PublicFigures.objects.values_list("figures", flat=True).get(pk=row.pk)
        writer = csv.writer(Echo())
        lines = "".join(writer.writerow(r) for r in downloads.rows(figures))
        cache.set(key, lines, MAX_AGE * 12)
    chunks = (lines[i : i + CHUNK] for i in range(0, len(lines), CHUNK))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{row.as_of}.csv"'
    return _cacheable(response)


@access.public
@require_safe
@condition(etag_func=_etag, last_modified_func=_modified)
def public_project_json(request: HttpRequest, slug: str) -> HttpResponse:
    row = _figures(request, slug)
    language = public_language(request)
    key = f"public-json:{row.etag}:{language}"
    body = cache.get(key)
    if body is None:
        figures = PublicFigures.objects.values_list("figures", flat=True).get(pk=row.pk)
        with translation.override(language):
            figures = downloads.with_words(figures)
            dictionary = downloads.dictionary()
        body = json.dumps({**figures, "dictionary": dictionary}, ensure_ascii=False)
        cache.set(key, body, MAX_AGE * 12)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Language"] = language
    return _cacheable(response)


@access.public
@require_safe
def public_data_dictionary(request: HttpRequest) -> HttpResponse:
    with translation.override(public_language(request)):
        context = {"dictionary": downloads.dictionary()}
    return _render(request, "public/dictionary.html", context)
