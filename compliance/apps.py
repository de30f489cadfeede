from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Reports and compliance"

    def ready(self) -> None:
        from compliance import receivers  # noqa: F401  (connects the signal receivers)
        from compliance.evaluation import kinds  # noqa: F401  (checks commitments' terms)
