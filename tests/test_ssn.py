"""The one SSN detector (SPEC §8): nine digits shaped like an SSN, once what cannot be seen
is dropped, are refused wherever they stand; other numbers are not."""

import re

import pytest

from compliance.reporting.intake.ecpr import worker_key_for_ssn
from compliance.ssn import contains_ssn, mask_ssns


@pytest.mark.parametrize(
    "value",
    [
        "123456789",
        "078-05-1120",
        "123 45 6789",
        "123.45.6789",
        "SSN 123-45-6789",
        "ssn:123456789",
        "Ana Flores 123-45-6789",
        "123\u200b456789",  # zero-width space
        "123\u200b-45-\u20606789",  # zero-width space and word joiner
        "12\ufeff3-4\u00ad5-6789",  # byte-order mark and soft hyphen
        "123\u202e456789",  # right-to-left override
        "１２３４５６７８９",  # full-width digits
        "123–45–6789",  # en dashes
        "123\n45\n6789",
        "E123456789",
    ],
)
def test_it_finds_a_full_ssn_however_it_is_written(value):
    assert contains_ssn(value)


@pytest.mark.parametrize(
    "value",
    [
        "W-1001",
        "E1001",
        "WAL-0042",
        "Maria Lopez",
        "Hispanic or Latino",
        "90001-1234",  # ZIP+4
        "12-3456789",  # an employer number
        "(213) 555-1234",
        "1234567890",
        "10/03/2026",
        "$1,234,567.89",
        "1234-56-7890",
        "",
    ],
)
def test_it_leaves_other_values_alone(value):
    assert not contains_ssn(value)


def test_an_ecpr_worker_key_is_never_taken_for_an_ssn():
    keys = [worker_key_for_ssn(f"{n:09d}", key="k") for n in range(2000)]
    assert [k for k in keys if re.search(r"\d{9}", k)], "some keys hold nine digits in a row"
    assert not [k for k in keys if contains_ssn(k)]
    assert not contains_ssn("0123456789abcdef" * 4)


def test_a_masked_value_keeps_only_the_last_four_digits():
    assert mask_ssns("SSN 123-45-6789, ask Ana") == "SSN ***-**-6789, ask Ana"
    assert mask_ssns("123\u200b456789") == "***-**-6789"
    assert mask_ssns("W-1001") == "W-1001"
