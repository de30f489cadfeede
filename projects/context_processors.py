from projects import access


def role(request):
    user = getattr(request, "user", None)
    current = access.role_of(user)
    return {"role": current, "role_label": access.ROLE_LABELS.get(current, "")}
