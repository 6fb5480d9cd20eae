"""The public forms' place picker: township first, then that township's villages (two short
lists, each township shown with its supply station) instead of one long list of villages whose
names repeat across townships."""

from powerexpress.registry.models import Township, Village


def place_picker(*, township_code: str = "", village_code: str = "") -> dict:
    """Townships with their station, the chosen township (from the village if one is given) and
    its villages."""
    township = None
    if village_code:
        village = Village.objects.select_related("township").filter(code=village_code).first()
        township = village.township if village else None
    if township is None and township_code:
        township = Township.objects.select_related("station").filter(code=township_code).first()
    townships = Township.objects.select_related("station").order_by("station__code", "code")
    villages = (
        Village.objects.filter(township=township).order_by("name") if township else Village.objects.none()
    )
    return {
        "townships": [(t.code, t.name, t.station.name) for t in townships],
        "township": township,
        "villages": [(v.code, v.name) for v in villages.only("code", "name")],
    }


def place_groups() -> list[dict]:
    """Every township (with its station) and its villages, for a form that filters the village
    list by the chosen township in the browser (``core/places.js``)."""
    groups: dict[int, dict] = {}
    for township in Township.objects.select_related("station").order_by("station__code", "code"):
        groups[township.pk] = {
            "code": township.code,
            "name": township.name,
            "station": township.station.name,
            "villages": [],
        }
    for village in (
        Village.objects.filter(township__isnull=False).order_by("name").only("code", "name", "township_id")
    ):
        groups[village.township_id]["villages"].append((village.code, village.name))
    return [group for group in groups.values() if group["villages"]]
