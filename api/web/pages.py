"""The dashboard's pages: home, a customer's timeline, and the reports a manager acts on.

Every page asks PERMISSIONS for the operation its API twin needs, reads the same read models
through the same queries and reports, and a customer file is read through the API's own
audited path, so the access audit cannot tell a page view from an API call.
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from api.permissions import allowed
from api.routes.queries import ModelsDep, audited
from api.web import readings, timeline
from api.web.filters import Filters, filters
from api.web.render import render
from api.web.session import PageRoute, session_principal, viewer
from ledger.clock import utcnow
from ledger.commands.access import Principal
from projections import directory, queries
from projections.reports import REPORTS
from projections.scope import report_for, scope_of
from projections.store import Tx

router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
Anyone = Annotated[Principal, Depends(session_principal)]
FileReader = Annotated[Principal, Depends(viewer("customers.read"))]
ReportReader = Annotated[Principal, Depends(viewer("reports.read"))]
Chosen = Annotated[Filters, Depends(filters)]
TOP_REPS = 5  # the concentration page's "top reps" unless asked: a fifth of a 24-rep department


def page(
    request: Request, template: str, who: Principal, tx: Tx, chosen: Filters, **context: Any
) -> Response:
    """Render with what every page shows: who is logged in, names for ids, the period."""
    staff = readings.staff_directory(tx)
    names = {sid: row["name"] for sid, row in staff.items()}
    may = {op: allowed(op, who.role, who.scopes) for op in ("reports.read", "access.audit")}
    context.setdefault("period", chosen.period())
    return render(
        request, template, me=staff.get(who.actor, {"name": who.actor}), role=who.role,
        names=names, staff=staff, filters=chosen, may=may, **context,
    )  # fmt: skip


@router.get("/")
def home(request: Request, who: Anyone, read: ModelsDep, chosen: Chosen) -> Response:
    """Links to every page, with the headline counts of each for those who may read reports."""
    with read.read() as tx:
        if not allowed("reports.read", who.role, who.scopes):
            return page(request, "home.html", who, tx, chosen, counts=None)
        period = chosen.period()
        counts = {
            **readings.customer_counts(tx, period.at, scope_of(tx, who.actor)),
            "at_risk": report_for(tx, who.actor, "control", period)["at_risk"],
            "due": report_for(tx, who.actor, "due", period),
            "transfers": report_for(tx, who.actor, "transfers", period)["transfers"],
            "fairness": REPORTS["fairness"](tx, period)["summary"][0],
        }
        return page(request, "home.html", who, tx, chosen, counts=counts)


@router.get("/customer")
def find_customer(
    request: Request,
    who: Anyone,
    read: ModelsDep,
    chosen: Chosen,
    id: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The home page's "open a customer file" box: an id, or a part of a name among the files
    the viewer may open (one match opens it, several are listed)."""
    text = id.strip()
    try:
        return RedirectResponse(f"/ui/customers/{UUID(text)}", status_code=303)
    except ValueError:
        pass
    with read.read() as tx:
        found = directory.customer_list(tx, scope_of(tx, who.actor), q=text, limit=50)
        if len(found.items) == 1 and found.next is None:
            only = found.items[0]["customer_id"]
            return RedirectResponse(f"/ui/customers/{only}", status_code=303)
        return page(request, "found.html", who, tx, chosen, q=text, found=found)


@router.get("/customers/{customer_id}")
def customer(
    customer_id: UUID, request: Request, who: FileReader, read: ModelsDep, chosen: Chosen
) -> Response:
    """A customer's timeline: holders over time, contacts by person, callbacks, complaints."""
    audited(request, who, customer_id, "file")
    audited(request, who, customer_id, "custody")
    cid = str(customer_id)
    with read.read() as tx:
        file = queries.customer_file(tx, cid)
        custody = queries.chain_of_custody(tx, cid)
        intervals = readings.holding_intervals(tx, cid)
        staff = readings.staff_directory(tx)
        names = {sid: row["name"] for sid, row in staff.items()}
        people = timeline.contacts_by_person(file, staff)
        return page(
            request, "customer.html", who, tx, chosen, file=file, custody=custody,
            intervals=timeline.with_moves(intervals, custody), people=people,
            callbacks=timeline.callbacks(file), share=timeline.single_threaded_share(people),
            chart=_charts().timeline_chart(intervals, file, names, chart_end(file, chosen)),
        )  # fmt: skip


def chart_end(file: dict[str, Any], chosen: Filters) -> datetime:
    """Open holdings run to now, or to the page's `at` when one is asked for (and all facts fit)."""
    if chosen.at is None:
        return utcnow()
    return max(chosen.period().at, datetime.fromisoformat(timeline.last_fact(file)))


@router.get("/at-risk")
def at_risk(request: Request, who: ReportReader, read: ModelsDep, chosen: Chosen) -> Response:
    """Report 5: the customers drifting to one person, highest risk first, with the reasons."""
    with read.read() as tx:
        rows = report_for(tx, who.actor, "control", chosen.period())["at_risk"]
        return page(request, "at_risk.html", who, tx, chosen, rows=rows)


@router.get("/fairness")
def fairness(request: Request, who: ReportReader, read: ModelsDep, chosen: Chosen) -> Response:
    """Reports 7 and 6: inbound leads per rep against the rule, and who holds how much."""
    with read.read() as tx:
        period = chosen.period(top=TOP_REPS)
        leads = REPORTS["fairness"](tx, period)
        held = REPORTS["concentration"](tx, period)
        return page(
            request, "fairness.html", who, tx, chosen, period=period, leads=leads, held=held,
            leads_chart=_charts().fairness_chart(leads["per_rep"]),
            held_chart=_charts().concentration_chart(held["per_rep"]),
        )  # fmt: skip


@router.get("/transfers")
def transfers(request: Request, who: ReportReader, read: ModelsDep, chosen: Chosen) -> Response:
    """Report 8 for the period, and every transfer request with who approved or rejected it."""
    with read.read() as tx:
        period = chosen.period()
        rows = report_for(tx, who.actor, "transfers", period)["transfers"]
        requests = readings.transfer_requests(tx, period)
        return page(request, "transfers.html", who, tx, chosen, rows=rows, requests=requests)


@router.get("/due")
def due(request: Request, who: ReportReader, read: ModelsDep, chosen: Chosen) -> Response:
    """Report 9: rotations due, neglected customers, overdue complaints, unverified contacts."""
    with read.read() as tx:
        lists = report_for(tx, who.actor, "due", chosen.period())
        return page(request, "due.html", who, tx, chosen, lists=lists)


def _charts() -> ModuleType:
    """matplotlib loads on the first chart, not when the server starts (about a second)."""
    from api.web import charts

    return charts
