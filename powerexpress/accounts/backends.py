from django.contrib.auth.backends import ModelBackend

from powerexpress.accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Model backend that also grants the permissions of the user's role."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        perms = set(super().get_all_permissions(user_obj, obj))
        perms |= ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset())
        return perms
