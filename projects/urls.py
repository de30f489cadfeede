from django.contrib.auth import views as auth_views
from django.urls import path

from projects import access, subcontractor_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<slug:slug>/", views.project_home, name="project_home"),
    path(
        "projects/<slug:slug>/agreement/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path(
        "projects/<slug:slug>/contractors/<slug:contractor>/subcontractors/add/",
        subcontractor_views.subcontractor_add_view,
        name="subcontractor_add",
    ),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path(
        "login/",
        access.public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", access.public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password-reset/",
        access.public(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        access.public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        access.public(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "welcome/<uidb64>/<token>/",
        access.public(subcontractor_views.InvitationConfirmView.as_view()),
        name="invitation_confirm",
    ),
    path(
        "password-reset/done/",
        access.public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
