"""One way each figure, date and word reads (compliance.formatting)."""

import datetime

import pytest

from compliance import formatting as f


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("180000", "dollars", "$180,000.00"),
        ("22", "units", "22 units"),
        ("22.00", "units", "22 units"),
        ("12.5", "slots", "12.50 slots"),
        ("300", "hours", "300.00 hours"),
        (None, "hours", "—"),
        ("-5", "dollars", "-$5.00"),
    ],
)
def test_a_quantity_reads_in_its_unit(value, unit, expected):
    assert f.quantity(value, unit) == expected


def test_a_figure_of_a_total_names_the_unit_once():
    assert f.quantity_of("180000", "2500000", "dollars") == "$180,000.00 of $2,500,000.00"
    assert f.quantity_of("22", "100", "units") == "22 of 100 units"
    assert f.quantity_of("472.5", "39762", "hours") == "472.50 of 39,762.00 hours"


def test_dates_and_months_read_the_same_on_every_platform():
    day = datetime.date(2026, 11, 7)
    assert f.long_date(day) == "November 7, 2026"
    assert f.short_date("2026-11-07") == "Nov 7, 2026"
    assert f.month("2026-10") == f.month(datetime.date(2026, 10, 1)) == "Oct 2026"
    assert f.long_month("2026-10") == "October 2026"
    assert f.long_date(None) == f.month("") == "—"


def test_plurals_count_with_the_right_noun():
    assert f.plural(1, "line") == "1 line"
    assert f.plural(1200, "line") == "1,200 lines"
    assert f.plural(2, "person", "people") == "2 people"


def test_a_chart_axis_reads_a_month_compactly():
    from compliance.formatting import compact_month

    assert compact_month("2026-01") == "Jan 26"
    assert compact_month(datetime.date(2027, 11, 1)) == "Nov 27"


def test_a_stored_moment_reads_as_the_sites_wall_time(settings):
    from compliance.formatting import short_date, timestamp

    settings.TIME_ZONE = "America/Los_Angeles"
    moment = datetime.datetime(2026, 11, 28, 2, 30, tzinfo=datetime.UTC)
    assert timestamp(moment) == "Nov 27, 2026 18:30"
    assert short_date(moment) == "Nov 27, 2026"
    # A document's own text keeps the wall time it recorded.
    assert timestamp("2026-11-27T18:30:00-08:00") == "Nov 27, 2026 18:30"
