from homeward.jobs.registry import handler
from homeward.kiosk import sessions


@handler(sessions.SWEEP_JOB)
def close_idle_kiosk_session(*, session_id: int) -> None:
    sessions.close_if_idle(session_id=session_id)
