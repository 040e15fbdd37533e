from homeward.jobs.registry import handler
from homeward.ledger import payments


@handler("send_payout")
def send_payout(*, payout_id: int) -> None:
    payments.send_payout(payout_id=payout_id)


@handler("sandbox_settle")
def sandbox_settle(*, payment_ref: str, outcome: str = "succeeded") -> None:
    payments.sandbox_settle(payment_ref=payment_ref, outcome=outcome)
