"""Pure computations of the outreach programme (no Django): money text, visit due dates,
Gantt bars and calendar grids. Tested without a database."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


def fen_to_yuan(fen: int) -> str:
    """``123456`` → ``"1234.56"``."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_to_fen(text: str) -> int:
    """``"12.5"`` → ``1250``. Raises ValueError for text that is not an amount with at most 2 decimals."""
    try:
        value = Decimal(str(text).strip() or "0")
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(value * 100)


@dataclass(frozen=True)
class VisitDue:
    next_due_on: datetime.date | None  # None = never visited
    days_overdue: int  # >0 overdue, 0 due today, <0 days left; never visited counts as due today
    state: str  # "never", "overdue", "due", "soon", "ok"


def next_visit_due(last_visited_on: datetime.date | None, interval_days: int) -> datetime.date | None:
    """The day the next visit falls due (None: never visited, due at once)."""
    return None if last_visited_on is None else last_visited_on + datetime.timedelta(days=interval_days)


def visit_due_bounds(*, today: datetime.date, soon_days: int) -> tuple[datetime.date, datetime.date]:
    """The rule, as the two next-due dates where the state changes: due before ``today`` is
    overdue, on it due today, up to ``soon_through`` due soon, after it up to date. Python
    (``visit_state``) and the database (``outreach.selectors.care_state_q``) both decide by these."""
    return today, today + datetime.timedelta(days=soon_days)


def visit_state(*, next_due_on: datetime.date | None, today: datetime.date, soon_days: int) -> str:
    """ "never", "overdue", "due", "soon" or "ok" for a household next due on ``next_due_on``."""
    if next_due_on is None:
        return "never"
    due_on, soon_through = visit_due_bounds(today=today, soon_days=soon_days)
    if next_due_on < due_on:
        return "overdue"
    if next_due_on == due_on:
        return "due"
    return "soon" if next_due_on <= soon_through else "ok"


def visit_due(
    *, last_visited_on: datetime.date | None, interval_days: int, today: datetime.date, soon_days: int
) -> VisitDue:
    """When a household is next due a visit, and whether that is overdue, due, soon or fine."""
    next_due = next_visit_due(last_visited_on, interval_days)
    state = visit_state(next_due_on=next_due, today=today, soon_days=soon_days)
    return VisitDue(next_due, 0 if next_due is None else (today - next_due).days, state)


def interval_for(tags: list[str], plan_days: dict[str, int]) -> int | None:
    """The tightest visit interval among a household's tags (None when no tag has a plan)."""
    days = [plan_days[tag] for tag in tags if tag in plan_days]
    return min(days) if days else None


@dataclass(frozen=True)
class Bar:
    left_percent: float
    width_percent: float
    clipped_start: bool
    clipped_end: bool


def gantt_bar(
    starts_on: datetime.date, due_on: datetime.date, window_start: datetime.date, window_end: datetime.date
) -> Bar | None:
    """Where a plan item's bar sits in a window of days (inclusive ends), in percent of its width."""
    if due_on < window_start or starts_on > window_end:
        return None
    total = (window_end - window_start).days + 1
    first = max(starts_on, window_start)
    last = min(due_on, window_end)
    left = (first - window_start).days / total * 100
    width = ((last - first).days + 1) / total * 100
    return Bar(round(left, 3), round(width, 3), starts_on < window_start, due_on > window_end)


def month_weeks(year: int, month: int) -> list[list[datetime.date]]:
    """The weeks (Monday first) covering a month, each a list of seven dates."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None
