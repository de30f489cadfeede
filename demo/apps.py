from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data: `seed_demo` and the payroll generator. Nothing in the
    production pipeline imports it."""

    name = "demo"
    verbose_name = "Demo data"
