from projects import access


def role(request):
    """Who is signed in, as the header shows it: the person's organization (a contractor's
    company, a coalition, a law center), or their role for a program admin."""
    user = getattr(request, "user", None)
    current = access.role_of(user)
    label = access.ROLE_LABELS.get(current, "")
    return {
        "role": current,
        "role_label": label,
        "organization_label": (access.organization_name_of(user) if current else "") or label,
    }
