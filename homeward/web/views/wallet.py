"""Placeholder: the wallet pages are being written."""

from django.http import Http404


def _todo(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404()


wallets = statement = statement_csv = deposit = refund = send_money = receipt = _todo
