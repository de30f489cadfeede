"""The payroll columns every door accepts (SPEC §5.1 and §5.3), in template order.

Uploads are matched by header text, not position: case, spaces, accents and punctuation are
ignored, and the aliases in brackets in the SPEC are accepted, as is the JSON field name
itself. Every column has a Spanish header too (the Spanish template's), accepted in any
upload with the Spanish aliases.

Imported by the parse child, so nothing of Django: the rules are marked for translation
with a no-op here and translated where they are shown (the template's Instructions).
"""

import re
import unicodedata
from dataclasses import dataclass


def gettext_noop(text: str) -> str:
    """Marks a text for the message catalog; it is translated where it is shown."""
    return text


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    rule: str
    aliases: tuple[str, ...] = ()
    width: int = 14
    spanish: str = ""
    spanish_aliases: tuple[str, ...] = ()

    def heading(self, language: str) -> str:
        """The column's header in the template of this language ("es" or "en")."""
        return self.spanish if language.startswith("es") and self.spanish else self.header


COLUMNS: tuple[Column, ...] = (
    Column(
        "worker_id",
        "Worker ID",
        True,
        gettext_noop(
            "Your company's employee number, up to 40 characters. Never a Social Security number."
        ),
        ("Employee ID",),
        14,
        "ID del trabajador",
        ("ID del empleado", "Número de empleado"),
    ),
    Column(
        "worker_name",
        "Worker Name",
        False,
        gettext_noop("Optional. Kept confidential."),
        (),
        24,
        "Nombre del trabajador",
    ),
    Column(
        "home_zip",
        "Home ZIP",
        True,
        gettext_noop("5-digit ZIP code of the worker's home; ZIP+4 is cut to 5 digits."),
        ("Zip", "Zip Code"),
        10,
        "Código postal",
        ("Código postal del domicilio",),
    ),
    Column(
        "craft",
        "Craft",
        True,
        gettext_noop("One of the project's crafts (see the Lists sheet), by name or alias."),
        ("Classification", "Trade"),
        22,
        "Oficio",
        ("Clasificación",),
    ),
    Column(
        "apprentice",
        "Apprentice",
        True,
        gettext_noop("J for a journeyworker, RA for a registered apprentice."),
        ("J/RA",),
        11,
        "Aprendiz",
        ("Oficial/Aprendiz",),
    ),
    Column(
        "apprentice_level",
        "Apprentice Level",
        False,
        gettext_noop("Optional: 1 to 10."),
        (),
        11,
        "Nivel de aprendiz",
    ),
    Column(
        "week_ending",
        "Week Ending",
        True,
        gettext_noop(
            "The last day of the pay week, a date in the report's month (e.g. 10/31/2026)."
        ),
        (),
        12,
        "Semana que termina",
        ("Fin de semana", "Semana terminada"),
    ),
    Column(
        "straight_hours",
        "Straight Hours",
        True,
        gettext_noop("0 to 80 hours."),
        (),
        10,
        "Horas regulares",
        ("Horas normales",),
    ),
    Column(
        "overtime_hours",
        "Overtime Hours",
        False,
        gettext_noop("0 or more hours."),
        (),
        10,
        "Horas extra",
        ("Horas extras", "Horas de tiempo extra"),
    ),
    Column(
        "doubletime_hours",
        "Double-time Hours",
        False,
        gettext_noop("0 or more hours."),
        (),
        11,
        "Horas dobles",
        ("Horas de tiempo doble",),
    ),
    Column(
        "hourly_rate",
        "Hourly Rate",
        True,
        gettext_noop("Base hourly rate in dollars, above 0."),
        (),
        10,
        "Tarifa por hora",
        ("Salario por hora",),
    ),
    Column(
        "fringe_rate",
        "Fringe Rate",
        False,
        gettext_noop("Hourly fringe benefits in dollars."),
        (),
        10,
        "Tarifa de beneficios",
        ("Beneficios por hora", "Beneficios marginales"),
    ),
    Column(
        "gross_pay",
        "Gross Pay",
        False,
        gettext_noop("Gross pay for the week on this project."),
        (),
        11,
        "Pago bruto",
        ("Salario bruto",),
    ),
    Column(
        "gender", "Gender", False, gettext_noop("F, M, X or blank."), (), 8, "Género", ("Sexo",)
    ),
    Column(
        "ethnicity",
        "Ethnicity",
        False,
        gettext_noop("Optional, as the worker reports it."),
        (),
        16,
        "Etnia",
        ("Origen étnico",),
    ),
    Column("veteran", "Veteran", False, gettext_noop("Y or N, or blank."), (), 9, "Veterano"),
    Column(
        "disadvantaged",
        "Disadvantaged",
        False,
        gettext_noop("Y or N, or blank."),
        (),
        13,
        "Desfavorecido",
        ("En desventaja",),
    ),
    Column(
        "new_hire",
        "New Hire",
        False,
        gettext_noop("Y or N, or blank."),
        (),
        9,
        "Nueva contratación",
        ("Nuevo empleado",),
    ),
)

COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FIELDS = tuple(c.field for c in COLUMNS)
REQUIRED_FIELDS = tuple(c.field for c in COLUMNS if c.required)


def normalize_header(text) -> str:
    """ "Double-time  Hours" == "doubletime_hours" == "DOUBLE TIME HOURS";
    "Código postal" == "CODIGO POSTAL"."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    return re.sub(r"[^0-9a-z]", "", text)


HEADER_TO_FIELD: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (
        _column.header,
        _column.field,
        *_column.aliases,
        _column.spanish,
        *_column.spanish_aliases,
    ):
        if not _name:
            continue
        HEADER_TO_FIELD[normalize_header(_name)] = _column.field


def field_for_header(text) -> str | None:
    return HEADER_TO_FIELD.get(normalize_header(text))


# The values each coded column accepts, in English and Spanish (the Spanish template's lists
# offer "Oficial"/"Aprendiz" and "Sí"/"No"); read case- and accent-blind.
APPRENTICE_VALUES = {"j": False, "journey": False, "journeyworker": False, "n": False}
APPRENTICE_VALUES |= {"ra": True, "apprentice": True, "y": True}
APPRENTICE_VALUES |= {"oficial": False, "no": False, "aprendiz": True, "si": True}
GENDERS = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X"}
GENDERS |= {"femenino": "F", "mujer": "F", "masculino": "M", "hombre": "M"}
YES_NO = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}
YES_NO |= {"si": True, "s": True}


def without_accents(text: str) -> str:
    """ "sí" → "si": Spanish values read with or without their accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
