from django.urls import path

from homeward.console.views import auth, connections, dashboard, jobs, residents, review

app_name = "console"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("signin/", auth.signin, name="signin"),
    path("signout/", auth.signout, name="signout"),
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
    path("jobs/", jobs.dead_jobs, name="jobs"),
    path("jobs/<int:job_id>/retry/", jobs.retry, name="job_retry"),
]
