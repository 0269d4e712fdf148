"""« Ma messagerie » and everything the portal sends: the e-mail/SMS outbox (FEATURES F4).

ARCHITECTURE decision 4: every e-mail and SMS is first a row written in the same transaction as
the change that causes it; a Celery task queued on commit sends it and marks it sent.
"""
