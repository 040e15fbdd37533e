"""The audit log for agency admins: their agency's events, filtered, a page at a time or as
CSV, and the chain checked on demand. Facility admins, reviewers and investigators get a
403 page. Reading, exporting and checking are themselves recorded."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from homeward.console.access import auditor_required
from homeward.console.audit_forms import AuditFilterForm
from homeward.console.requests import StaffRequest
from homeward.core import clock
from homeward.core.ids import whole_number
from homeward.core.models import AuditEvent
from homeward.monitoring import audit_log


def _form(request: StaffRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET, facilities=audit_log.audited_facilities(request.user))


@auditor_required
def log(request: StaffRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        before = request.GET.get("before", "")
        page = audit_log.read_page(
            staff=request.user,
            filters=form.filters(),
            before_id=whole_number(before),
        )
        query = request.GET.copy()
        query.pop("before", None)
        names = {f.pk: f.name for f in audit_log.audited_facilities(request.user)}
        context |= {
            "page": page,
            "rows": [
                (event, names.get(event.facility_id or 0, event.facility_id or ""), _line(event))
                for event in page.events
            ],
            "filter_query": query.urlencode(),
        }
    return render(request, "console/audit.html", context)


@auditor_required
def export(request: StaffRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return log(request)
    out = io.StringIO()
    csv.writer(out).writerows(audit_log.export_rows(staff=request.user, filters=form.filters()))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_POST
@auditor_required
def check_chain(request: StaffRequest) -> HttpResponse:
    state = audit_log.chain_state(staff=request.user)
    form = AuditFilterForm(facilities=audit_log.audited_facilities(request.user))
    return render(request, "console/audit.html", {"form": form, "chain": state})


def _line(event: AuditEvent) -> str:
    return json.dumps(event.data, sort_keys=True, ensure_ascii=False)
