from django.urls import path

from homeward.console.views import (
    appeals,
    auth,
    connections,
    dashboard,
    enforcement,
    jobs,
    money,
    residents,
    restrictions,
    review,
    rule_reports,
    rules,
    second_factor,
    signin_locks,
    staff,
    watches,
)

app_name = "console"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("signin/", auth.signin, name="signin"),
    path("signout/", auth.signout, name="signout"),
    # The sign-in steps after the password: second factor, monitoring notice.
    path("enrol/", second_factor.enrol, name="enrol"),
    path("verify/", second_factor.verify, name="verify"),
    path("notice/", second_factor.notice_page, name="notice"),
    # Staff accounts (facility and agency admins): reset a lost second factor.
    path("staff/", staff.staff_list, name="staff"),
    path("staff/<int:user_id>/reset/", staff.reset_factor, name="staff_reset"),
    path("queue/", review.queue, name="queue"),
    path("queue/next/", review.claim_next, name="claim_next"),
    path("review/<int:task_id>/", review.task, name="task"),
    path("review/<int:task_id>/claim/", review.claim, name="claim"),
    path("review/<int:task_id>/decide/", review.decide, name="decide"),
    path("review/<int:task_id>/release/", review.release, name="release"),
    path("connections/", connections.waiting, name="connections"),
    path("connections/<int:connection_id>/decide/", connections.decide, name="connection_decide"),
    path("connections/<int:connection_id>/end/", connections.end, name="connection_end"),
    path("residents/", residents.search, name="residents"),
    path("residents/<int:resident_id>/", residents.resident, name="resident"),
    path("contacts/<int:contact_id>/", residents.contact, name="contact"),
    path("residents/<int:resident_id>/release/", residents.release, name="resident_release"),
    # Suspensions and revocations (facility and agency admins).
    path(
        "residents/<int:pk>/restrict/",
        restrictions.impose,
        {"kind": "resident"},
        name="restrict_resident",
    ),
    path(
        "contacts/<int:pk>/restrict/",
        restrictions.impose,
        {"kind": "contact"},
        name="restrict_contact",
    ),
    path(
        "connections/<int:pk>/restrict/",
        restrictions.impose,
        {"kind": "connection"},
        name="restrict_connection",
    ),
    # Watch lists (reviewers and admins).
    path("residents/<int:pk>/watch/", watches.add, {"kind": "resident"}, name="watch_resident"),
    path("contacts/<int:pk>/watch/", watches.add, {"kind": "contact"}, name="watch_contact"),
    path(
        "connections/<int:pk>/watch/",
        watches.add,
        {"kind": "connection"},
        name="watch_connection",
    ),
    path("watches/<int:watch_id>/end/", watches.end, name="watch_end"),
    # Appeals: the desk, one appeal and its decision, the rates.
    path("appeals/", appeals.desk, name="appeals"),
    path("appeals/report/", appeals.report, name="appeals_report"),
    path("appeals/<int:appeal_id>/", appeals.appeal, name="appeal"),
    path("appeals/<int:appeal_id>/decide/", appeals.decide, name="appeal_decide"),
    path(
        "restrictions/<int:restriction_id>/",
        restrictions.change,
        name="restriction_change",
    ),
    path("jobs/", jobs.dead_jobs, name="jobs"),
    # Prices and money (facility and agency admins).
    path("prices/<slug:code>/", money.prices, name="prices"),
    path("prices/<slug:code>/add/", money.add_prices, name="prices_add"),
    path("enforcement/<slug:code>/", enforcement.policy, name="enforcement_policy"),
    path("enforcement/<slug:code>/edit/", enforcement.policy_edit, name="enforcement_policy_edit"),
    path("money/<slug:code>/", money.report, name="money_report"),
    path("money/<slug:code>/report.csv", money.report_csv, name="money_report_csv"),
    path("jobs/<int:job_id>/retry/", jobs.retry, name="job_retry"),
    # Sign-in locks (facility and agency admins): release a staff account or kiosk sooner.
    path("signin-locks/", signin_locks.index, name="signin_locks"),
    path(
        "signin-locks/<int:lock_id>/release/",
        signin_locks.release,
        name="signin_lock_release",
    ),
    # Screening rules (facility and agency admins).
    path("rules/", rules.index, name="rules"),
    path("rules/<slug:code>/", rules.facility_rules, name="rules_facility"),
    path("rules/<slug:code>/add/", rules.add, name="rule_add"),
    path("rules/<slug:code>/test/", rule_reports.test, name="rules_test"),
    path("rules/<slug:code>/versions/", rule_reports.versions, name="rule_versions"),
    path("rules/<slug:code>/stats/", rule_reports.stats, name="rule_stats"),
    path("rules/<slug:code>/detectors/", rules.detectors, name="rule_detectors"),
    path("rules/<slug:code>/<int:rule_id>/", rule_reports.detail, name="rule"),
    path("rules/<slug:code>/<int:rule_id>/edit/", rules.edit, name="rule_edit"),
    path("rules/<slug:code>/<int:rule_id>/active/", rules.set_active, name="rule_active"),
    path("rules/<slug:code>/<int:rule_id>/switch/", rules.switch_inherited, name="rule_switch"),
]
