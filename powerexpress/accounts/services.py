"""Creating users and API tokens."""

from django.db import transaction

from powerexpress.accounts.models import ApiToken, User
from powerexpress.accounts.roles import Role
from powerexpress.core.errors import FieldError
from powerexpress.registry.models import SupplyStation

STATION_BOUND_ROLES = {Role.STATION_STAFF, Role.CREW, Role.TEAM_MEMBER}


def user_create(
    *,
    username: str,
    role: str,
    station_code: str | None = None,
    password: str | None = None,
    full_name: str = "",
) -> User:
    errors = {}
    if role not in Role.values:
        errors["role"] = f"choose one of {', '.join(Role.values)}"
    station = None
    if station_code:
        station = SupplyStation.objects.filter(code=station_code).first()
        if station is None:
            errors["station"] = f"unknown station {station_code}"
    elif role in STATION_BOUND_ROLES:
        errors["station"] = "this role needs a station"
    if User.objects.filter(username=username).exists():
        errors["username"] = f"{username} already exists"
    if errors:
        raise FieldError(errors)
    with transaction.atomic():
        user = User(username=username, role=role, station=station, first_name=full_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def token_create(*, user: User, name: str = "") -> str:
    """Create a token for ``user`` and return its key; only its hash is stored."""
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key))
    return key
