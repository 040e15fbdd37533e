from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "homeward.photos"
    label = "photos"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from homeward.ledger import words as ledger_words
        from homeward.messaging import archive
        from homeward.messaging.services import may_deliver
        from homeward.messaging.status import message_moved
        from homeward.messaging.words import know_return_reasons
        from homeward.photos import (
            jobs,  # noqa: F401  (registers the job handlers)
            records,
            review,
        )

        # A message is delivered once its photos are decided (or returned when one stops it).
        may_deliver.register(review.hold_delivery)
        # Photos not delivered with their message are refunded, whatever its text costs.
        message_moved.register(review.refund_with_message)
        # Why a photo is refunded, and why a message a photo stopped is returned (and
        # refunded), in the reader's words wherever they are shown.
        stopped = {review.STOPPED_BY_PHOTO: gettext_lazy("a photo in it was not allowed")}
        know_return_reasons(stopped)
        ledger_words.know_refund_reasons(
            {review.PHOTO_REFUND: gettext_lazy("the photo was not delivered"), **stopped}
        )
        # A person's archive carries the photos of their messages.
        archive.ATTACHMENTS.append(records.archive_attachments)
