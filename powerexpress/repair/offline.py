"""The crew's actions recorded offline on the phone (steps, notes, photos), applied when the
phone is back online at the moment they really happened (see ``core.offline``)."""

from django.utils.translation import gettext as _

from powerexpress.core.offline import OfflineConflict, OfflineRequest
from powerexpress.repair.choices import FaultStatus, NoteKind
from powerexpress.repair.forms import NoteForm
from powerexpress.repair.selectors import can_work, tickets_visible
from powerexpress.repair.services import fault_note_add, fault_ticket_transition


def _ticket(request: OfflineRequest):
    number = request.data.get("ref", "")
    ticket = tickets_visible(request.user).filter(number=number).first()
    if ticket is None:
        raise OfflineConflict(_("Ticket %(number)s is not visible to you.") % {"number": number})
    if not can_work(request.user, ticket):
        raise OfflineConflict(
            _("Ticket %(number)s was reassigned to someone else meanwhile.") % {"number": ticket.number}
        )
    return ticket


def repair_step_offline(request: OfflineRequest) -> tuple[str, str]:
    ticket = _ticket(request)
    status = request.data.get("status", "")
    moved = fault_ticket_transition(
        ticket=ticket, to_status=status, actor=request.user, at=request.occurred_at, recorded_offline=True
    )
    return moved.number, str(FaultStatus(moved.status).label)


def repair_note_offline(request: OfflineRequest) -> tuple[str, str]:
    ticket = _ticket(request)
    form = NoteForm(request.data, request.files)
    if not form.is_valid():
        raise OfflineConflict("; ".join(e for errors in form.errors.values() for e in errors))
    note = fault_note_add(
        ticket=ticket, actor=request.user, at=request.occurred_at, recorded_offline=True, **form.cleaned_data
    )
    return ticket.number, str(NoteKind(note.kind).label)
