"""Every change a program admin makes in the Django admin leaves an audit event (SPEC §8).

Setup objects (projects, agreements, commitments, areas, crafts, assignments,
organizations, memberships, monitoring) are recorded as `setup.<model>.<add|change|delete>`;
other objects edited in the admin as `admin.<model>.<add|change|delete>`. Inline rows saved
with their parent page are recorded one by one, like rows saved on their own page.
"""

from django.contrib import admin
from django.db import models

from compliance.audit import audit_record

SETUP_MODELS = {
    "project",
    "agreement",
    "commitment",
    "area",
    "craft",
    "assignment",
    "certification",
    "organization",
    "membership",
    "monitoring",
}


def _project_of(obj: models.Model):
    from projects.models import Project

    if isinstance(obj, Project):
        return obj if obj.pk else None
    project = getattr(obj, "project", None)
    return project if isinstance(project, Project) and project.pk else None


def audit_admin_change(
    *, user, obj: models.Model, action: str, fields=(), project=None, label: str = ""
) -> None:
    """Record one admin add, change or delete of `obj` by `user`."""
    model = obj._meta.model_name
    family = "setup" if obj._meta.app_label == "projects" and model in SETUP_MODELS else "admin"
    data = {"object": label or str(obj)[:200]}
    if fields:
        data["fields"] = sorted(fields)
    audit_record(
        verb=f"{family}.{model}.{action}",
        actor=user,
        obj=obj,
        project=project if action == "delete" else _project_of(obj),
        data=data,
    )


def _delete_audited(user, obj: models.Model, delete) -> None:
    """Delete `obj` with `delete()`, then record it (a deleted project is named, not linked)."""
    from projects.models import Project

    project = None if isinstance(obj, Project) else _project_of(obj)
    label, pk = str(obj)[:200], obj.pk
    delete()
    obj.pk = pk
    audit_admin_change(user=user, obj=obj, action="delete", project=project, label=label)


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes (inlines included) are audit events."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_admin_change(
            user=request.user,
            obj=obj,
            action="change" if change else "add",
            fields=form.changed_data if change else (),
        )

    def delete_model(self, request, obj):
        _delete_audited(
            request.user, obj, lambda: super(AuditedAdmin, self).delete_model(request, obj)
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _delete_audited(request.user, obj, obj.delete)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _delete_audited(request.user, obj, obj.delete)
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        for obj in instances:
            is_new = obj.pk is None
            obj.save()
            audit_admin_change(
                user=request.user,
                obj=obj,
                action="add" if is_new else "change",
                fields=changed.get(id(obj), ()),
            )
        formset.save_m2m()
