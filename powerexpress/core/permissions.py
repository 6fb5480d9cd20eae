"""The permission names core itself checks.

``accounts.roles`` declares every named permission and grants them by role; the few that core's
own code asks for are spelled here so that core needs no app, and ``accounts.roles`` re-exports
them under the same names.
"""

# Any role: the staff pages (lists, maps, reports) within the user's scope.
USE_STAFF_PAGES = "core.use_staff_pages"
VIEW_AUDIT_LOG = "core.view_auditentry"
# Masked personal data (ID numbers, mobiles, bank accounts) shown in full; every use is audited.
VIEW_PERSONAL_DATA = "registry.view_personal_data"
