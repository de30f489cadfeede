"""English and Spanish: the contractor pages, the Excel template and the e-mails in the reader's
language (their own choice, else the browser's), with the same figures in both; uploads
accept the headers and list values of either language; the catalog is complete and its
compiled copy current."""

import ast
import datetime
import gettext
import io
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from compliance import tasks
from compliance.models import PayrollLine, Report
from compliance.pipeline import evaluate_project
from compliance.reporting.intake.fields import COLUMNS
from compliance.reporting.intake.upload import report_upload
from compliance.ssn import SSN_MESSAGE
from projects.models import Membership
from tests.conftest import make_commitment, make_report
from tests.engine_support import line as engine_line
from tests.intake_support import BEFORE_DUE, OCTOBER, line, workbook
from tests.test_browser import browser  # noqa: F401 - the Playwright fixture

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
LANGUAGES = ["en", "es"]
# What each language calls the same things on the contractor's pages.
WORDS = {
    "en": {
        "months": ["Monthly reports", "Months", "Due", "Not yet due", "Missing", "October 2026"],
        "errors": ["2 problems found; nothing was stored", "Not a craft of this project"],
        "check": [
            "Checked only; nothing was stored.",
            "2 lines under the wage floor: $186.00 would be owed to 2 workers.",
            "Lines under the wage floor",
        ],
        "standing": [
            "standing on",
            "Reporting record",
            "is owed to underpaid workers",
            "2 lines paid below the required rate: $186.00 is owed to 2 workers.",
            "Qualifying hours",
            "At or above 20.00% today.",
        ],
    },
    "es": {
        "months": [
            "informes mensuales",
            "Meses",
            "Vence",
            "Aún no vence",
            "Falta",
            "octubre de 2026",
        ],
        "errors": [
            "Se encontraron 2 problemas; no se guardó nada",
            "No es un oficio de este proyecto",
        ],
        "check": [
            "Solo se revisó; no se guardó nada.",
            "2 líneas por debajo del salario mínimo: se deberían $186.00 a 2 trabajadores.",
            "Líneas por debajo del salario mínimo",
        ],
        "standing": [
            "situación en",
            "Historial de informes",
            "Se deben $186.00",
            "2 líneas pagadas por debajo de la tarifa requerida: se deben $186.00 a 2 "
            "trabajadores.",
            "Horas que cuentan",
            "En 20.00% o más hoy.",
        ],
    },
}


def speaks(user, language: str):
    Membership.objects.filter(user=user).update(language=language)
    return user


def months_url() -> str:
    return reverse("assignment_reports", kwargs={"slug": "crenshaw", "contractor": "walsh"})


def upload_url() -> str:
    return reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "walsh"})


def template_url() -> str:
    return reverse("report_template", kwargs={"slug": "crenshaw", "contractor": "walsh"})


def xlsx(content: bytes, name: str = "october.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def travel():
    with time_machine.travel(BEFORE_DUE, tick=False) as traveller:
        yield traveller


# -- the catalog ----------------------------------------------------------------------------


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: context, id, plural and translations, with their flags."""
    entries, current, key = [], {}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        text = raw.strip()
        if not text:
            if "msgid" in current:
                entries.append(current)
            current, key = {}, None
        elif text.startswith("#,"):
            current["flags"] = text
        elif text.startswith("#"):
            continue
        elif text.startswith('"'):
            current[key] += _unquote(text)
        else:
            key, _, value = text.partition(" ")
            current[key] = _unquote(value)
    return [e for e in entries if e["msgid"]]


def _unquote(text: str) -> str:
    """A PO string ("..." with C escapes) as text."""
    return ast.literal_eval(text)


def test_every_message_has_a_spanish_translation_and_none_is_fuzzy():
    entries = po_entries(CATALOG / "django.po")

    assert len(entries) > 400
    untranslated = [
        e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")] == []


def test_the_compiled_catalog_is_the_po_file_compiled():
    """The .mo in git is what runs (no gettext needed at runtime): it must say what the .po
    says. After editing the .po, run `make messages`."""
    with open(CATALOG / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in po_entries(CATALOG / "django.po"):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            for count, form in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                if context is None:
                    found = compiled.ngettext(entry["msgid"], entry["msgid_plural"], count)
                else:
                    found = compiled.npgettext(
                        context, entry["msgid"], entry["msgid_plural"], count
                    )
                if found != entry[form]:
                    stale.append(entry["msgid"])
        else:
            found = (
                compiled.gettext(entry["msgid"])
                if context is None
                else compiled.pgettext(context, entry["msgid"])
            )
            if found != entry["msgstr"]:
                stale.append(entry["msgid"])
    assert stale == []


# What `make messages` leaves out of its scan (the Makefile's --ignore list), and what is
# not source at all.
NOT_SCANNED = (".git", ".venv", "tests", "demo", "staticfiles", "media", "locale", "__pycache__")


def msgids(path: Path) -> set[tuple]:
    return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in po_entries(path)}


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="xgettext is not installed (Debian package gettext): the code's messages cannot be "
    "extracted to compare with the catalog",
)
def test_every_translatable_string_in_the_code_is_in_the_catalog(tmp_path):
    """makemessages on a copy of the code, into a fresh catalog: every message it finds must
    be in the committed one. Wrapping a new string without `make messages` and a Spanish
    translation fails here (the copy keeps makemessages away from the real catalog)."""
    tree = tmp_path / "tree"
    shutil.copytree(
        settings.BASE_DIR, tree, ignore=shutil.ignore_patterns(*NOT_SCANNED, "*.pyc", "*.sqlite3")
    )
    (tree / "locale").mkdir()
    here = os.getcwd()
    os.chdir(tree)
    try:
        with override_settings(LOCALE_PATHS=[tree / "locale"]):
            call_command(
                "makemessages",
                locale=["es"],
                no_location=True,
                ignore_patterns=list(NOT_SCANNED),
                verbosity=0,
            )
    finally:
        os.chdir(here)

    found = msgids(tree / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert len(found) > 400
    missing = sorted(found - msgids(CATALOG / "django.po"), key=lambda key: key[1])
    assert missing == [], "run `make messages` and translate the new entries"


def test_the_ssn_refusal_reads_the_same_as_the_detectors_message():
    from compliance.reporting.intake.validate import SSN_WORDS

    with translation.override("en"):
        assert str(SSN_WORDS) == SSN_MESSAGE


def test_status_words_in_spanish():
    from compliance.status import Status

    with translation.override("es"):
        assert [Status.label(s) for s in Status.WORST_FIRST] == [
            "Déficit",
            "En riesgo",
            "En camino",
            "Cumplido",
            "Sin datos",
        ]


# -- choosing the language ------------------------------------------------------------------


def test_the_browsers_language_gives_spanish_to_an_anonymous_visitor(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")

    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert "Iniciar sesión" in page.text and "¿Olvidó su contraseña?" in page.text

    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in english.text and "Forgot your password?" in english.text


def test_the_footer_switch_works_without_script_and_saves_a_persons_choice(
    client, contractor, walsh
):
    client.force_login(contractor)
    switched = client.post(
        reverse("set_language"), {"language": "es", "next": months_url()}, HTTP_REFERER="/"
    )

    assert switched.status_code == 302 and switched.url == months_url()
    assert Membership.objects.get(user=contractor).language == "es"
    # The choice follows the person: a fresh browser asking for English still reads Spanish.
    client.cookies.clear()
    client.force_login(contractor)
    page = client.get(months_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in page.text and "Meses" in page.text
    assert 'name="language"' in page.text and 'value="es" lang="es" selected' in page.text


def test_an_anonymous_visitor_switches_with_the_cookie_only(client, db):
    switched = client.post(reverse("set_language"), {"language": "es", "next": "/login/"})

    assert switched.status_code == 302
    assert "Iniciar sesión" in client.get(reverse("login")).text


def test_an_unknown_language_changes_nothing(client, contractor):
    client.force_login(contractor)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert Membership.objects.get(user=contractor).language == ""


# -- the same pages in both languages -------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_months_table_in_each_language(client, contractor, walsh, travel, language):
    client.force_login(speaks(contractor, language))
    page = client.get(months_url())

    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    for words in WORDS[language]["months"]:
        assert words in page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_upload_with_mistakes_in_each_language(client, contractor, walsh, travel, language):
    client.force_login(speaks(contractor, language))
    rows = [line(worker_id="E1"), line(worker_id="E2", craft="Plumbr")]
    rows.append(line(worker_id="E3", straight_hours="85"))

    failed = client.post(upload_url(), {"period": "2026-10", "file": xlsx(workbook(rows))})

    assert failed.status_code == 422
    for words in WORDS[language]["errors"]:
        assert words in failed.text
    # The same rows, columns and values in both: only the words change.
    assert '<td class="num">3</td><td>Craft</td><td><code>Plumbr</code></td>' in failed.text
    assert '<td class="num">4</td><td>Straight Hours</td><td><code>85</code></td>' in failed.text
    assert not Report.objects.exists()


@pytest.fixture
def wage_rules(project, walsh, crafts):
    make_commitment(
        project,
        "living_wage",
        "wage_floor",
        title="Living wage",
        scope="contractor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )


def underpaying_october() -> list[dict]:
    """Four journeyworkers and two apprentices at $27.50 and $29.90 for 10 hours each under
    a $38 floor: (38.00 − 27.50) × 10 + (38.00 − 29.90) × 10 = $186.00 owed."""
    rows = [line(worker_id=f"J{i}", straight_hours="40", overtime_hours="0") for i in range(4)]
    for worker, rate in (("A1", "27.50"), ("A2", "29.90")):
        rows.append(
            line(
                worker_id=worker,
                apprentice="RA",
                straight_hours="10",
                overtime_hours="0",
                hourly_rate=rate,
                gross_pay=None,
            )
        )
    return rows


@pytest.mark.parametrize("language", LANGUAGES)
def test_check_only_in_each_language(client, contractor, walsh, wage_rules, travel, language):
    client.force_login(speaks(contractor, language))
    content = workbook(underpaying_october())

    checked = client.post(
        upload_url(), {"period": "2026-10", "file": xlsx(content), "check_only": "1"}
    )

    assert checked.status_code == 200
    for words in WORDS[language]["check"]:
        assert words in checked.text
    for figure in ("$105.00", "$81.00", "$27.50", "$29.90", "180.00"):
        assert figure in checked.text
    assert not Report.objects.exists()


@pytest.fixture
def standing(project, walsh, crafts):
    """Two apprentices under a $38 floor in January 2024: $186.00 owed; 20 of 60 hours by
    apprentices against 20%."""
    make_commitment(
        project,
        "apprentices",
        "workforce_share",
        title="Apprentice hours",
        qualifier="apprentice",
        scope="contractor_craft",
        target_percent="20",
    )
    make_commitment(
        project,
        "living_wage",
        "wage_floor",
        title="Living wage",
        scope="contractor",
        rates=[{"craft": "any", "effective_from": "2024-01-01", "base": "38.00"}],
    )
    electrician = crafts["Electrician"]
    week = datetime.date(2024, 1, 20)
    make_report(
        walsh,
        datetime.date(2024, 1, 1),
        [
            engine_line("J1", week, electrician, 40, hourly_rate=Decimal("50.00")),
            engine_line(
                "A1", week, electrician, 10, is_apprentice=True, hourly_rate=Decimal("27.50")
            ),
            engine_line(
                "A2", week, electrician, 10, is_apprentice=True, hourly_rate=Decimal("29.90")
            ),
        ],
        submitted_at=datetime.datetime(2024, 2, 10, 12, tzinfo=datetime.UTC),
    )
    with time_machine.travel(datetime.date(2024, 3, 20), tick=False):
        evaluate_project(project, datetime.date(2024, 3, 20))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_standing_page_in_each_language(client, contractor, walsh, standing, language):
    client.force_login(speaks(contractor, language))
    url = reverse("contractor_standing", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    with time_machine.travel(datetime.date(2024, 3, 20), tick=False):
        page = client.get(url)

    assert page.status_code == 200
    for words in WORDS[language]["standing"]:
        assert words in page.text
    for figure in ("$186.00", "$105.00", "$81.00"):
        assert figure in page.text


# -- the Excel template and uploads in both languages ---------------------------------------


def stored_lines() -> list[tuple]:
    return list(
        PayrollLine.objects.order_by("row_number").values_list(
            "worker__worker_key",
            "craft__name",
            "is_apprentice",
            "week_ending",
            "straight_hours",
            "hourly_rate",
            "home_zip",
            "veteran",
            "disadvantaged",
            "new_hire",
        )
    )


SPANISH_VALUES = {"J": "Oficial", "RA": "Aprendiz", "Y": "Sí", "N": "No"}


def test_a_spanish_headed_workbook_stores_the_same_lines_as_the_english_one(walsh, travel):
    rows = [line(worker_id="E1"), line(worker_id="E2", apprentice="RA", veteran="Y")]
    english = workbook(rows)
    spanish_rows = [
        {k: SPANISH_VALUES.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
        for row in rows
    ]
    spanish = workbook(
        spanish_rows,
        headers=[c.spanish for c in COLUMNS],
        fields=[c.field for c in COLUMNS],
        sheet="Nómina",
    )

    report_upload(assignment=walsh, period=OCTOBER, content=english, filename="en.xlsx")
    in_english = stored_lines()
    Report.objects.all().delete()
    report_upload(assignment=walsh, period=OCTOBER, content=spanish, filename="es.xlsx")

    assert stored_lines() == in_english
    assert [line[2] for line in in_english] == [False, True]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_template_in_each_language_is_filled_in_and_uploaded(
    client, contractor, walsh, travel, language
):
    client.force_login(speaks(contractor, language))
    download = client.get(template_url(), {"period": "2026-10"})
    book = load_workbook(io.BytesIO(download.content))
    payroll, payments, lists, instructions = book.worksheets

    headers = [cell.value for cell in payroll[2]]
    if language == "es":
        assert [s.title for s in book.worksheets] == ["Nómina", "Pagos", "Listas", "Instrucciones"]
        assert [c.value for c in payments[2]] == ["Fecha", "Subcontratista", "Monto"]
        assert headers[:4] == [
            "ID del trabajador",
            "Nombre del trabajador",
            "Código postal",
            "Oficio",
        ]
        assert [c.value for c in lists["B"]][:3] == ["Aprendiz", "Oficial", "Aprendiz"]
        assert [c.value for c in lists["C"]][:3] == ["Sí / No", "Sí", "No"]
        assert instructions["A6"].value == "Cómo llenar este informe"
        assert "vence el 15 de noviembre de 2026" in instructions["A4"].value
        row = ["E1", "Ana", "90001", "Carpenter", "Aprendiz", None, datetime.date(2026, 10, 3)]
        row += [40, 0, 0, 45.5, 20.25, 1820, "F", "Hispanic", "No", "Sí", "No"]
    else:
        assert [s.title for s in book.worksheets] == [
            "Payroll",
            "Payments",
            "Lists",
            "Instructions",
        ]
        assert headers[:4] == ["Worker ID", "Worker Name", "Home ZIP", "Craft"]
        assert instructions["A6"].value == "How to fill in this report"
        row = ["E1", "Ana", "90001", "Carpenter", "RA", None, datetime.date(2026, 10, 3)]
        row += [40, 0, 0, 45.5, 20.25, 1820, "F", "Hispanic", "N", "Y", "N"]
    for column, value in enumerate(row, start=1):
        payroll.cell(row=3, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)

    done = client.post(upload_url(), {"period": "2026-10", "file": xlsx(buffer.getvalue())})

    assert done.status_code == 302
    assert stored_lines() == [
        ("E1", "Carpenter", True, OCTOBER.replace(day=3), Decimal("40.00"), Decimal("45.50"))
        + ("90001", False, True, False)
    ]


# -- e-mails in the recipient's language ----------------------------------------------------


def test_a_spanish_clerks_reminder_is_in_spanish_and_an_english_clerks_in_english(
    contractor, other_contractor
):
    speaks(contractor, "es")
    with time_machine.travel(datetime.datetime(2026, 11, 10, 15, 0, tzinfo=datetime.UTC)):
        assert tasks.send_daily_report_reminders() == "2 reminder emails"

    spanish = next(m for m in mail.outbox if m.to == [contractor.email])
    assert spanish.subject == (
        "[CBA Monitor] Su informe de octubre de 2026 de Walsh Shea en Crenshaw/LAX Line vence "
        "en 5 días, el 15 de noviembre de 2026."
    )
    assert "Hola," in spanish.body and "Súbalo aquí:" in spanish.body
    assert "Sin trabajo este mes" in spanish.body
    assert "?period=2026-10" in spanish.body
    english = next(m for m in mail.outbox if m.to == [other_contractor.email])
    assert english.subject.startswith("[CBA Monitor] Your October 2026 report for Pulice")
    # The notification stored for the app reads in the reader's language too.
    assert contractor.notifications.get().message.startswith("Su informe de octubre de 2026")


def test_a_password_reset_email_is_in_the_persons_language(client, contractor):
    speaks(contractor, "es")
    client.post(reverse("password_reset"), {"email": contractor.email})

    (email,) = mail.outbox
    assert email.subject == "Elija una nueva contraseña de CBA Monitor"
    assert "Alguien pidió restablecer la contraseña" in email.body
    assert re.search(r"/password-reset/[^/]+/[^/]+/", email.body)


# -- in a browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_spanish_browser_on_a_phone_reads_the_months_in_spanish_without_sideways_scroll(
    browser,  # noqa: F811 - the fixture imported above
    live_server,
    project,
    walsh,
    contractor,
):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD
    from tests.test_browser import shot

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-MX")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    page.fill("#id_username", contractor.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button:has-text('Iniciar sesión')")
    expect(page.get_by_role("heading", name="Sus proyectos")).to_be_visible()
    page.goto(f"{live_server.url}{months_url()}")
    expect(page.get_by_role("heading", name="Meses")).to_be_visible()
    expect(page.locator("table.months")).to_contain_text("Falta")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "i18n-months-es-phone")

    # The footer's switch, a plain form: English from now on, saved with the account.
    page.select_option("#language-choice", "en")
    page.click("footer button")
    expect(page.get_by_role("heading", name="Months")).to_be_visible()
    assert Membership.objects.get(user=contractor).language == "en"
    context.close()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "To reach 20.00% by completion at your current pace, 36.00% of your hours from now "
            "on must be apprentice hours.",
        ),
        (
            "es",
            "Para llegar a 20.00% al terminar a su ritmo actual, 36.00% de sus horas de aquí en "
            "adelante deben ser horas de aprendices.",
        ),
    ],
)
def test_what_it_takes_to_get_back_on_track_in_each_language(language, expected):
    """200 of 5,000 hours so far, 10,000 projected: (2,000 − 200) / 5,000 = 36% to come."""
    from compliance.evaluation.engine.catch_up import catch_up
    from compliance.evaluation.kinds import standing_words

    found = catch_up(
        target_percent=Decimal(20),
        numerator=Decimal(200),
        denominator=Decimal(5000),
        projected_denominator=Decimal(10000),
    )
    with translation.override(language):
        advice = standing_words.catch_up_advice(
            found,
            target="20.00%",
            qualifying=standing_words.qualifying_hours("apprentice", None),
            yours=standing_words.your_hours("all"),
            above=False,
        )
    assert advice == expected


def test_the_api_answers_in_spanish_when_asked(client, contractor, walsh, travel):
    from projects.models import ApiToken, hash_token

    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=contractor, name="payroll", prefix=raw[:8], key_hash=hash_token(raw)
    )
    answer = client.post(
        "/api/v1/projects/crenshaw/contractors/walsh/reports",
        {"period": "2026-10", "lines": [line(craft="Plumbr")]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("Se encontró 1 problema; no se guardó nada.")
    assert body["errors"][0]["column"] == "craft"
    assert body["errors"][0]["message"].startswith("No es un oficio de este proyecto.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_contractor_reads_its_flags_and_disputes_one_in_each_language(
    client, contractor, walsh, project, language
):
    from tests.coalition_data import make_flag

    flag = make_flag(project, "missing_report", "warning", assignment=walsh, title="October")
    client.force_login(speaks(contractor, language))
    queue = client.get(reverse("flag_queue"))
    page = client.get(reverse("flag_detail", kwargs={"flag_id": flag.pk}))
    disputed = client.post(
        reverse("flag_detail", kwargs={"flag_id": flag.pk}),
        {"action": "dispute", "note": "Filed on time by mail.", "visibility": "shared"},
        follow=True,
    )

    words = {
        "en": ("My flags", "Warning", "Timeline", "Dispute: done. The flag is now disputed."),
        "es": (
            "Mis alertas",
            "Advertencia",
            "Cronología",
            "Impugnar: hecho. La alerta ahora está impugnada.",
        ),
    }[language]
    assert words[0] in queue.text and words[1] in queue.text
    assert words[2] in page.text
    assert words[3] in disputed.text
    flag.refresh_from_db()
    assert flag.status == "disputed"


# -- a prime's subcontractors and a contractor's own export ---------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            (
                "Add a subcontractor",
                "Company name",
                "Contact&#x27;s e-mail",
                "(optional)",
                "Between January 1, 2024 and December 31, 2026.",
                "That is your own company: write the subcontractor&#x27;s name.",
            ),
        ),
        (
            "es",
            (
                "Agregar un subcontratista",
                "Nombre de la empresa",
                "Correo electrónico del contacto",
                "(opcional)",
                "Entre el 1 de enero de 2024 y el 31 de diciembre de 2026.",
                "Esa es su propia empresa: escriba el nombre del subcontratista.",
            ),
        ),
    ],
)
def test_the_add_subcontractor_page_in_each_language(
    client, contractor, walsh, travel, language, words
):
    client.force_login(speaks(contractor, language))
    url = reverse("subcontractor_add", kwargs={"slug": "crenshaw", "contractor": "walsh"})
    page = client.get(url)
    refused = client.post(
        url,
        {
            "company": "Walsh Shea",
            "contact_email": "rosa@eastside.example",
            "start_date": "2026-06-01",
        },
    )

    assert page.status_code == 200
    for expected in words[:5]:
        assert expected in page.text
    assert refused.status_code == 422
    assert words[5] in refused.text
    assert list(walsh.project.assignments.values_list("contractor__slug", flat=True)) == ["walsh"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            (
                "Map your payroll export",
                "Your columns",
                "Sample values",
                "Not used",
                "Your craft codes",
                "Save the mapping and upload the file",
                "Home ZIP",
                "Journeyworker (J)",
            ),
        ),
        (
            "es",
            (
                "Asigne su exportación de nómina",
                "Sus columnas",
                "Valores de ejemplo",
                "No se usa",
                "Sus códigos de oficio",
                "Guardar la asignación y subir el archivo",
                "Código postal",
                "Oficial (J)",
            ),
        ),
    ],
)
def test_the_mapping_page_in_each_language(
    client, contractor, walsh, crafts, travel, language, words
):
    from tests.test_intake_mapping import export_rows, export_xlsx

    client.force_login(speaks(contractor, language))
    content = export_xlsx(export_rows(datetime.date(2026, 10, 10)))
    sent = client.post(upload_url(), {"period": "2026-10", "file": xlsx(content, "payroll.xlsx")})
    assert sent.status_code == 302 and "/mappings/new/?upload=" in sent.url

    page = client.get(sent.url)

    assert page.status_code == 200
    for expected in words:
        assert expected in page.text
    # The file's own headers and values are shown as they are, in both languages.
    assert "Reg Hrs" in page.text and "<code>Maria Lopez</code>" in page.text
    assert not Report.objects.exists()
