"""Who may do what with applications."""

from powerexpress.accounts.roles import CHANGE_APPLICATION_SETTINGS, MOVE_APPLICATIONS


def can_move(user) -> bool:
    """Station staff and managers move applications; crews record surveys and installations too."""
    return bool(user and user.has_perm(MOVE_APPLICATIONS))


def can_edit_settings(user) -> bool:
    return bool(user and user.has_perm(CHANGE_APPLICATION_SETTINGS))
