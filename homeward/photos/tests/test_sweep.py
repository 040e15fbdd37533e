"""Nothing lost, nothing left: a photo whose check was lost is checked again, and a file no
photo row names goes once it is an hour old. Real files in a temporary directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from homeward.core import clock
from homeward.facilities.models import Facility
from homeward.jobs import registry
from homeward.jobs.models import Job
from homeward.people.models import Contact
from homeward.photos import intake, removal, sweep
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.photos.tests.conftest import kept_files

pytestmark = pytest.mark.django_db

JPEG = images.encode(images.scene(), "JPEG")
STALE = dt.timedelta(minutes=15)


@pytest.fixture
def receive(ana: Contact, facility: Facility):  # type: ignore[no-untyped-def]
    def receive() -> Photo:
        upload = SimpleUploadedFile("photo.jpg", JPEG)
        return intake.receive(contact=ana, facility=facility, upload=upload)

    return receive


def checks_of(photo: Photo) -> list[Job]:
    return list(Job.objects.filter(kind=intake.CHECK_JOB, payload__photo_id=photo.pk))


def kill(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DEAD, attempts=5)


# --- a check lost ---------------------------------------------------------------------------


def test_a_photo_whose_check_died_is_checked_again_once_stale(
    receive, run_jobs, django_capture_on_commit_callbacks
) -> None:
    photo = receive()
    [job] = checks_of(photo)
    kill(job)
    later = clock.now() + STALE - dt.timedelta(seconds=1)
    assert sweep.requeue_stale(later) == 0  # not stale yet
    stale = clock.now() + STALE + dt.timedelta(seconds=1)
    assert sweep.requeue_stale(stale) == 1
    assert sweep.requeue_stale(stale) == 0  # its new check is waiting
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    assert len(checks_of(photo)) == 2
    assert sweep.requeue_stale(stale) == 0  # checked: nothing to do


def test_a_photo_whose_check_was_lost_is_checked_again(receive) -> None:
    photo = receive()
    Job.objects.filter(kind=intake.CHECK_JOB).delete()  # pruned, or never there
    assert sweep.requeue_stale(clock.now() + 2 * STALE) == 1
    [job] = checks_of(photo)
    assert job.status == Job.Status.QUEUED and job.facility_id == photo.facility_id


def test_a_check_waiting_or_running_is_left_alone(receive) -> None:
    photo = receive()
    assert sweep.requeue_stale(clock.now() + 2 * STALE) == 0  # queued
    Job.objects.filter(kind=intake.CHECK_JOB).update(status=Job.Status.RUNNING)
    assert sweep.requeue_stale(clock.now() + 2 * STALE) == 0
    assert len(checks_of(photo)) == 1


def test_after_three_checks_gave_up_the_photo_is_left_to_an_operator(receive, settings) -> None:
    settings.PHOTO_CHECK_STALE_MINUTES = 1
    photo = receive()
    for _ in range(sweep.MAX_CHECK_JOBS - 1):
        kill(checks_of(photo)[-1])
        assert sweep.requeue_stale(clock.now() + dt.timedelta(minutes=2)) == 1
    kill(checks_of(photo)[-1])
    assert sweep.requeue_stale(clock.now() + dt.timedelta(minutes=2)) == 0
    assert len(checks_of(photo)) == sweep.MAX_CHECK_JOBS


# --- files left -----------------------------------------------------------------------------


def test_an_upload_whose_transaction_rolled_back_leaves_a_file_the_sweep_deletes(
    receive, photo_files: Path
) -> None:
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        receive()
        raise RolledBack
    assert not Photo.objects.exists()
    [orphan] = kept_files(photo_files)
    assert orphan.endswith("/upload")
    assert sweep.orphans(clock.now() + dt.timedelta(minutes=59)) == 0  # may be under way
    assert kept_files(photo_files) == [orphan]
    assert sweep.orphans(clock.now() + dt.timedelta(minutes=61)) == 1
    assert kept_files(photo_files) == []


def test_a_sweep_before_any_photo_finds_nothing(photo_files: Path) -> None:
    assert not photo_files.exists()
    assert sweep.run(clock.now() + dt.timedelta(days=1)) == sweep.Swept(requeued=0, deleted=0)


def test_the_files_photos_name_are_kept(
    receive, run_jobs, django_capture_on_commit_callbacks, photo_files: Path
) -> None:
    checked, waiting = receive(), receive()
    Job.objects.filter(kind=intake.CHECK_JOB, payload__photo_id=waiting.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    checked.refresh_from_db()
    assert checked.status == Photo.Status.READY
    before = kept_files(photo_files)
    assert len(before) == 3  # the checked photo's image and thumbnail, the other's upload
    # A file of a photo that exists but is named by no field of it (a check's file from a
    # run that rolled back) goes too.
    folder = photo_files / str(checked.facility_id) / str(checked.pk)
    (folder / "upload").write_bytes(b"left over")
    a_day_on = clock.now() + dt.timedelta(hours=2)
    assert sweep.orphans(a_day_on) == 1
    assert kept_files(photo_files) == before


def test_the_sweep_job_comes_back_while_photos_are_recent(receive) -> None:
    start = clock.now()
    with clock.frozen_at(start):
        receive()
    [waiting] = Job.objects.filter(kind=intake.SWEEP_JOB)
    assert waiting.run_after == start + STALE
    receive()  # one sweep waiting is enough
    assert Job.objects.filter(kind=intake.SWEEP_JOB).count() == 1
    Job.objects.filter(pk=waiting.pk).update(status=Job.Status.DONE)
    with clock.frozen_at(start + STALE):
        registry.get(intake.SWEEP_JOB)()
    [again] = Job.objects.filter(kind=intake.SWEEP_JOB, status=Job.Status.QUEUED)
    assert again.run_after == start + 2 * STALE
    # Hours later, with every photo checked, it comes back only when the unsent photos are
    # due to be discarded, and then stops until the next upload.
    Photo.objects.update(status=Photo.Status.READY)
    Job.objects.filter(pk=again.pk).update(status=Job.Status.DONE)
    with clock.frozen_at(start + sweep.RECENT + dt.timedelta(minutes=1)):
        registry.get(intake.SWEEP_JOB)()
    [last] = Job.objects.filter(kind=intake.SWEEP_JOB, status=Job.Status.QUEUED)
    oldest = Photo.objects.order_by("created_at").first()
    assert oldest is not None and last.run_after == oldest.created_at + removal.UNSENT_KEPT
    last.status = Job.Status.DONE
    last.save()
    with clock.frozen_at(last.run_after + dt.timedelta(minutes=1)):
        registry.get(intake.SWEEP_JOB)()
    assert not Photo.objects.exists()
    assert not Job.objects.filter(kind=intake.SWEEP_JOB, status=Job.Status.QUEUED).exists()
