from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and agreements"

    def ready(self) -> None:
        from projects import signals  # noqa: F401  (connects the login audit)
