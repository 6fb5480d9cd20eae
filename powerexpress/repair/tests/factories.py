"""Small helpers shared by the repair tests."""

from powerexpress.repair.choices import FaultStatus
from powerexpress.repair.services import fault_report_create, fault_ticket_transition


def report(world, village=None, phone="13812345678", description="停电了", **kwargs):
    return fault_report_create(
        village=village or world.village_a, phone=phone, description=description, **kwargs
    )


def work_to(world, ticket, status: str):
    """Move a ticket along the lifecycle up to ``status`` as clerk_a / crew_a."""
    clerk, crew = world.users["clerk_a"], world.users["crew_a"]
    path = [
        FaultStatus.DISPATCHED,
        FaultStatus.EN_ROUTE,
        FaultStatus.ON_SITE,
        FaultStatus.RESTORED,
        FaultStatus.CLOSED,
    ]
    for step in path[: path.index(status) + 1]:
        actor = crew if step in (FaultStatus.EN_ROUTE, FaultStatus.ON_SITE, FaultStatus.RESTORED) else clerk
        ticket = fault_ticket_transition(
            ticket=ticket,
            to_status=step,
            actor=actor,
            assignee=crew if step == FaultStatus.DISPATCHED else None,
        )
    return ticket
