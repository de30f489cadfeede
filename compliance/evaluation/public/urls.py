"""The public pages (SPEC §7.4): no login; every view is marked `access.public` and reads
only `access.public_projects()` or `access.compared_projects_for(user)`."""

app_name = "public"

urlpatterns: list = []
