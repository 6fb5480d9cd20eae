"""Writes of line loss: settings, the monthly figures of a station's districts (one partition),
suspected households, confirmed moves and the governance plan."""

import datetime as dt
from decimal import Decimal

import numpy as np
import polars as pl
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import ACT_ON_LINELOSS, CHANGE_LINELOSS_SETTINGS, EDIT_REGISTRY
from powerexpress.analytics import lineloss
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.lineloss.choices import Cause, LossClass, PlanStatus, SuspectStatus
from powerexpress.lineloss.models import LineLoss, LineLossSettings, LossSuspect, PlanItem, TransformerMove
from powerexpress.registry.models import Bureau, Customer, TransformerDistrict

MIN_HOURS_FOR_CHECK = 72  # the check needs at least three days of hourly household data
SETTINGS_FIELDS = (
    "high_from_pct",
    "negative_to_pct",
    "economic_to_pct",
    "min_coverage_pct",
    "suspect_min_score",
    "plan_due_days",
)


def lineloss_settings_get() -> LineLossSettings:
    """The bureau's bands (created with the bureau; the practice defaults of DOMAIN.md §9, unsaved,
    when the row is missing: a read never writes, and saving it creates the row)."""
    bureau = Bureau.objects.order_by("pk").first()
    if bureau is None:
        raise ApiError(_("No bureau is set up yet."), status=409, code="no_bureau")
    return LineLossSettings.objects.filter(bureau=bureau).first() or LineLossSettings(bureau=bureau)


def bands_from(current: LineLossSettings) -> lineloss.Bands:
    return lineloss.Bands(
        high_from=float(current.high_from_pct) / 100,
        negative_to=float(current.negative_to_pct) / 100,
        min_coverage=float(current.min_coverage_pct) / 100,
    )


def lineloss_settings_update(*, user, values: dict) -> LineLossSettings:
    """Change the bands (managers only), checking ranges and order before saving."""
    if not user.has_perm(CHANGE_LINELOSS_SETTINGS):
        raise ApiError(_("Only a manager may change the line-loss settings."), status=403, code="forbidden")
    current = lineloss_settings_get()
    errors = {}
    for name in SETTINGS_FIELDS:
        if values.get(name) in (None, ""):
            continue
        try:
            number = Decimal(str(values[name]))
        except ArithmeticError:
            errors[name] = _("Enter a number.")
            continue
        if not Decimal(-100) <= number <= Decimal(100) or (name == "plan_due_days" and number < 1):
            errors[name] = _("Out of range.")
            continue
        setattr(current, name, int(number) if name == "plan_due_days" else number)
    if current.negative_to_pct >= current.high_from_pct:
        errors["negative_to_pct"] = _("The negative band must lie below the high band.")
    if errors:
        raise FieldError(errors)
    current.updated_by = user
    current.save()
    return current


# Computing a month


def month_window(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(dt.datetime.combine(month, dt.time()), tz),
        timezone.make_aware(dt.datetime.combine(next_month, dt.time()), tz),
    )


def _hour_index(start: dt.datetime):
    start_utc = start.astimezone(dt.UTC)
    return ((pl.col("ts").dt.convert_time_zone("UTC") - start_utc).dt.total_minutes() // 60).cast(pl.Int64)


def supply_by_hour(station_code: str, month: dt.date) -> pl.DataFrame:
    """transformer, hour, supply_kwh from the district meters' ``energy_kwh`` (hours with data only)."""
    start, end = month_window(month)
    lazy = storage.scan(
        DataKind.TRANSFORMER, station_code=station_code, months=[month], since=start, until=end
    )
    empty = pl.DataFrame(schema={"transformer": pl.String, "hour": pl.Int64, "supply_kwh": pl.Float64})
    if lazy is None or "energy_kwh" not in lazy.collect_schema().names():
        return empty
    return (
        lazy.filter(pl.col("energy_kwh").is_not_null())
        .group_by("transformer", _hour_index(start).alias("hour"))
        .agg(pl.col("energy_kwh").sum().alias("supply_kwh"))
        .collect()
    )


def household_by_hour(station_code: str, month: dt.date) -> pl.DataFrame:
    """account_no, hour, sales_kwh from the households' interval kWh."""
    start, end = month_window(month)
    lazy = storage.scan(DataKind.HOUSEHOLD, station_code=station_code, months=[month], since=start, until=end)
    if lazy is None:
        return pl.DataFrame(schema={"account_no": pl.String, "hour": pl.Int64, "sales_kwh": pl.Float64})
    return (
        lazy.group_by("account_no", _hour_index(start).alias("hour"))
        .agg(pl.col("energy_kwh").sum().alias("sales_kwh"))
        .collect()
    )


def register_sales(station_code: str, accounts: set[str], month: dt.date) -> pl.DataFrame:
    """account_no, sales_kwh from billing's register readings apportioned to the month (when billing
    is installed): linear in time between the readings bracketing each bound of the window."""
    empty = pl.DataFrame(schema={"account_no": pl.String, "sales_kwh": pl.Float64})
    if not accounts or not apps.is_installed("powerexpress.billing"):
        return empty
    from powerexpress.billing.choices import ReadingStatus
    from powerexpress.billing.models import MeterReading

    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    rows = list(
        MeterReading.objects.filter(
            customer__transformer__station__code=station_code,
            current=True,
            status=ReadingStatus.OK,
            rollover=False,
            read_on__gte=month - dt.timedelta(days=120),
            read_on__lte=next_month + dt.timedelta(days=120),
        ).values_list("customer__account_no", "read_on", "register_kwh")
    )
    rows = [row for row in rows if row[0] in accounts]
    if not rows:
        return empty
    readings = pl.DataFrame(
        {
            "account_no": [r[0] for r in rows],
            "day": [r[1].toordinal() for r in rows],
            "register_kwh": [float(r[2]) for r in rows],
        }
    )
    return lineloss.apportion_register(readings, month.toordinal(), next_month.toordinal())


def supply_monthly(station_code: str, month: dt.date) -> pl.DataFrame:
    """transformer, supply_kwh over the month (districts whose meter sent ``energy_kwh``)."""
    start, end = month_window(month)
    lazy = storage.scan(
        DataKind.TRANSFORMER, station_code=station_code, months=[month], since=start, until=end
    )
    if lazy is None or "energy_kwh" not in lazy.collect_schema().names():
        return pl.DataFrame(schema={"transformer": pl.String, "supply_kwh": pl.Float64})
    return (
        lazy.filter(pl.col("energy_kwh").is_not_null())
        .group_by("transformer")
        .agg(pl.col("energy_kwh").sum().alias("supply_kwh"))
        .collect()
    )


def households_monthly(station_code: str, month: dt.date) -> pl.DataFrame:
    """account_no, sales_kwh over the month from the households' interval kWh."""
    start, end = month_window(month)
    lazy = storage.scan(DataKind.HOUSEHOLD, station_code=station_code, months=[month], since=start, until=end)
    if lazy is None:
        return pl.DataFrame(schema={"account_no": pl.String, "sales_kwh": pl.Float64})
    return lazy.group_by("account_no").agg(pl.col("energy_kwh").sum().alias("sales_kwh")).collect()


def station_members(station_code: str) -> pl.DataFrame:
    """account_no, transformer: the registry's household-to-transformer relation of a station."""
    return pl.DataFrame(
        list(
            Customer.objects.filter(transformer__station__code=station_code).values_list(
                "account_no", "transformer__code"
            )
        ),
        schema={"account_no": pl.String, "transformer": pl.String},
        orient="row",
    )


def station_inputs(station_code: str, month: dt.date):
    """(members, monthly supply, monthly sales) of a station's month: interval kWh where a household
    has it, else its register readings apportioned to the month."""
    members = station_members(station_code)
    supply = supply_monthly(station_code, month)
    interval = households_monthly(station_code, month)
    with_interval = set(interval["account_no"].to_list())
    readings = register_sales(station_code, set(members["account_no"].to_list()) - with_interval, month)
    return members, supply, pl.concat([interval, readings])


def partition_compute(*, station_code: str, month: dt.date) -> int:
    """Compute (again) the month's loss of every district of a station and its suspected households."""
    current = lineloss_settings_get()
    members, supply, sales = station_inputs(station_code, month)
    codes = list(TransformerDistrict.objects.filter(station__code=station_code).values_list("code", "pk"))
    ids = dict(codes)
    monthly = lineloss.window_loss(supply, sales, members, bands_from(current)).filter(
        pl.col("transformer").is_in(list(ids))
    )
    present = set(monthly["transformer"].to_list())
    blank = pl.DataFrame(
        {"transformer": [c for c, _pk in codes if c not in present]}, schema={"transformer": pl.String}
    ).with_columns(
        pl.lit(None, dtype=pl.Float64).alias("supply_kwh"),
        pl.lit(0.0).alias("sales_kwh"),
        pl.lit(0, dtype=pl.Int64).alias("households"),
        pl.lit(0, dtype=pl.Int64).alias("households_with_data"),
    )
    if blank.height:
        monthly = pl.concat([monthly, lineloss.classify(blank, bands_from(current))])
    rows = [_loss_row(ids[r["transformer"]], month, r) for r in monthly.iter_rows(named=True)]
    found = _suspects(station_code, month, monthly, members, current)
    with transaction.atomic():
        LineLoss.objects.filter(transformer_id__in=ids.values(), month=month).delete()
        LineLoss.objects.bulk_create(rows, batch_size=2000)
        LossSuspect.objects.filter(
            transformer_id__in=ids.values(), month=month, status=SuspectStatus.OPEN
        ).delete()
        decided = set(
            LossSuspect.objects.filter(
                month=month, customer_id__in=[s.customer_id for s in found]
            ).values_list("customer_id", flat=True)
        )
        LossSuspect.objects.bulk_create([s for s in found if s.customer_id not in decided])
    return len(rows)


def _loss_row(transformer_id: int, month: dt.date, r: dict) -> LineLoss:
    return LineLoss(
        transformer_id=transformer_id,
        month=month,
        supply_kwh=r["supply_kwh"],
        sales_kwh=r["sales_kwh"] or 0.0,
        loss_kwh=r["loss_kwh"] if r["supply_kwh"] is not None else None,
        loss_rate=r["loss_rate"],
        households=r["households"],
        households_with_data=r["households_with_data"],
        coverage=r["coverage"],
        loss_class=r["class"],
        reason=r["reason"] or "",
    )


def _suspects(station_code, month, monthly, members, current) -> list[LossSuspect]:
    """Households of the station's high- and negative-loss districts that fit another district of
    the same station better (only where households have hourly interval data)."""
    flagged = set(monthly.filter(pl.col("class").is_in([lineloss.HIGH, lineloss.NEGATIVE]))["transformer"])
    if not flagged:
        return []
    supply = supply_by_hour(station_code, month)
    interval = household_by_hour(station_code, month)
    if interval.is_empty() or supply.is_empty():
        return []
    start, end = month_window(month)
    hours = int((end - start).total_seconds() // 3600)
    member_of = dict(members.iter_rows())
    eligible = _hourly_districts(interval, members, float(current.min_coverage_pct) / 100)
    districts = sorted(set(supply["transformer"].to_list()) & eligible)
    d_index = {c: i for i, c in enumerate(districts)}
    accounts = sorted(a for a in interval["account_no"].unique().to_list() if member_of.get(a) in d_index)
    a_index = {a: i for i, a in enumerate(accounts)}
    household = _grid(interval, "account_no", "sales_kwh", a_index, hours)
    supply_grid = _grid(supply, "transformer", "supply_kwh", d_index, hours)
    own = np.array([d_index[member_of[a]] for a in accounts], dtype=int)
    sales_grid = np.zeros_like(supply_grid)
    np.add.at(sales_grid, own, np.nan_to_num(household))
    residual = lineloss.residuals(supply_grid, sales_grid)
    found = lineloss.suspects(household, own, residual, min_score=float(current.suspect_min_score))
    customer_ids = dict(Customer.objects.filter(account_no__in=accounts).values_list("account_no", "pk"))
    district_ids = dict(TransformerDistrict.objects.filter(code__in=districts).values_list("code", "pk"))
    totals = np.nansum(household, axis=1)
    return [
        LossSuspect(
            customer_id=customer_ids[account],
            transformer_id=district_ids[member_of[account]],
            suggested_id=district_ids[districts[found.best[i]]],
            month=month,
            corr_suggested=round(float(found.best_corr[i]), 3),
            corr_own=round(float(found.own_corr[i]), 3),
            sales_kwh=round(float(totals[i]), 3),
        )
        for account, i in a_index.items()
        if found.suspected[i] and member_of[account] in flagged
    ]


def _hourly_districts(interval: pl.DataFrame, members: pl.DataFrame, min_share: float) -> set[str]:
    """Districts where at least ``min_share`` of the households have hourly data over the window
    (daily readings are too coarse to tell households apart)."""
    span = interval.group_by("account_no").agg(
        pl.len().alias("n"), (pl.col("hour").max() - pl.col("hour").min() + 1).alias("span")
    )
    hourly = span.filter((pl.col("span") >= MIN_HOURS_FOR_CHECK) & (pl.col("n") >= 0.9 * pl.col("span")))
    share = (
        members.with_columns(pl.col("account_no").is_in(hourly["account_no"].implode()).alias("hourly"))
        .group_by("transformer")
        .agg(pl.col("hourly").mean())
    )
    return set(share.filter(pl.col("hourly") >= min_share)["transformer"].to_list())


def _grid(frame: pl.DataFrame, key: str, column: str, index: dict, hours: int) -> np.ndarray:
    out = np.full((len(index), hours), np.nan)
    rows = frame[key].replace_strict(index, default=-1, return_dtype=pl.Int64).to_numpy()
    cols = frame["hour"].to_numpy()
    ok = (rows >= 0) & (cols >= 0) & (cols < hours)
    out[rows[ok], cols[ok]] = frame[column].to_numpy()[ok]
    return out


# Moves and the governance plan


def _require_acting(user) -> None:
    if not user.has_perm(ACT_ON_LINELOSS):
        raise ApiError(_("You may not act on line loss."), status=403, code="forbidden")


def suspect_confirm(*, user, suspect: LossSuspect) -> TransformerMove:
    """Move the household to the suspected district and keep the move in the history."""
    from powerexpress.registry.services import customer_transformer_change

    if not user.has_perm(EDIT_REGISTRY):
        raise ApiError(_("You may not change the registry."), status=403, code="forbidden")
    with transaction.atomic():
        locked = LossSuspect.objects.select_for_update().get(pk=suspect.pk)
        if locked.status != SuspectStatus.OPEN:
            raise ApiError(_("This suspicion has already been decided."), status=409, code="decided")
        customer = Customer.objects.get(pk=locked.customer_id)
        before = customer.transformer_id
        customer_transformer_change(user=user, customer=customer, transformer=locked.suggested)
        move = TransformerMove.objects.create(
            customer=customer,
            from_transformer_id=before,
            to_transformer=locked.suggested,
            suspect=locked,
            reason=_(
                "Line-loss check %(month)s: correlation %(corr)s with the new district, %(own)s with the old."
            )
            % {"month": f"{locked.month:%Y-%m}", "corr": locked.corr_suggested, "own": locked.corr_own},
            moved_by=user,
        )
        LossSuspect.objects.filter(customer_id=locked.customer_id, status=SuspectStatus.OPEN).update(
            status=SuspectStatus.CONFIRMED, decided_by=user, decided_at=timezone.now()
        )
    return move


def suspect_dismiss(*, user, suspect: LossSuspect) -> LossSuspect:
    """Keep the household where it is (the check was wrong)."""
    _require_acting(user)
    updated = LossSuspect.objects.filter(pk=suspect.pk, status=SuspectStatus.OPEN).update(
        status=SuspectStatus.DISMISSED, decided_by=user, decided_at=timezone.now()
    )
    if not updated:
        raise ApiError(_("This suspicion has already been decided."), status=409, code="decided")
    suspect.refresh_from_db()
    return suspect


CAUSE_WORK = {
    Cause.THEFT: "inspection",
    Cause.METER_FAULT: "inspection",
    Cause.MAPPING: "inspection",
    Cause.OLD_WIRE: "other",
    Cause.DATA: "other",
}


def plan_item_add(*, user, loss: LineLoss, cause: str, note: str = "") -> PlanItem:
    """Put a high- or negative-loss district on the governance plan with a work order for the station's
    service team. Asking again for the same district and month returns the open item."""
    _require_acting(user)
    if cause not in Cause.values:
        raise FieldError({"cause": _("Choose a cause.")})
    if loss.loss_class not in (LossClass.HIGH, LossClass.NEGATIVE):
        raise ApiError(
            _("Only a high- or negative-loss district goes on the governance plan."),
            status=409,
            code="not_lossy",
        )
    from powerexpress.workorders.services import work_order_create

    transformer = loss.transformer
    with transaction.atomic():
        existing = PlanItem.objects.filter(
            transformer=transformer, month=loss.month, status=PlanStatus.OPEN
        ).first()
        if existing is not None:
            return existing
        item = PlanItem.objects.create(
            transformer=transformer,
            month=loss.month,
            cause=cause,
            loss_class_before=loss.loss_class,
            loss_rate_before=loss.loss_rate,
            note=note[:300],
            due_on=timezone.localdate() + dt.timedelta(days=lineloss_settings_get().plan_due_days),
            created_by=user,
        )
        item.work_order = work_order_create(
            user=user,
            station=transformer.station,
            kind=CAUSE_WORK[cause],
            transformer=transformer,
            village=transformer.village,
            due_on=item.due_on,
            title=_("Line loss %(month)s: %(cause)s at %(name)s")
            % {"month": f"{loss.month:%Y-%m}", "cause": Cause(cause).label, "name": transformer.name},
            description=_("Loss rate %(rate)s%% (%(klass)s). %(note)s")
            % {
                "rate": f"{100 * loss.loss_rate:.2f}",
                "klass": LossClass(loss.loss_class).label,
                "note": note,
            },
            source_type="lineloss_plan",
            source_ref=str(item.pk),
        )
        item.save(update_fields=["work_order"])
    return item


def plan_item_close(*, user, item: PlanItem) -> PlanItem:
    """Close a plan item once the effect review is done."""
    _require_acting(user)
    PlanItem.objects.filter(pk=item.pk).update(status=PlanStatus.CLOSED)
    item.refresh_from_db()
    return item
