"""Who may do what with applications."""

from powerexpress.accounts.roles import EDIT_REGISTRY, Role


def can_move(user) -> bool:
    """Station staff and managers move applications; crews record surveys and installations too."""
    return bool(user and user.is_authenticated and (user.has_perm(EDIT_REGISTRY) or user.role == Role.CREW))


def can_edit_settings(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.MANAGER))
