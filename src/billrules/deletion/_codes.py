"""Deletion: the reason codes with their sentences, the report's questions and the kinds of
the timeline's transitions (DEL-1 … DEL-7).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "deletion"


class DeletionCode(ReasonCode, area=AREA):
    """Every reason the deletion area gives, with its rule and its English sentence (DEL-1 … DEL-7)."""

    #: DEL-1: the account is old enough.
    ACCOUNT_OLD_ENOUGH = (
        "account_old_enough",
        "DEL-1",
        "The account was created {age_days} {age_days:day|days} ago, more than "
        "{min_age_days} {min_age_days:day|days}.",
    )
    #: DEL-1: the account is too new.
    ACCOUNT_TOO_NEW = (
        "account_too_new",
        "DEL-1",
        "The account was created {age_days} {age_days:day|days} ago; only accounts created "
        "more than {min_age_days} {min_age_days:day|days} ago are deleted for inactivity.",
    )
    #: DEL-1: nobody logged in during the inactivity period (or ever: the last login is none).
    NO_RECENT_LOGIN = (
        "no_recent_login",
        "DEL-1",
        "No user has logged in during the last {inactivity_days} "
        "{inactivity_days:day|days}; the last login: {last_login_at}.",
    )
    #: DEL-1: a login within the inactivity period.
    RECENT_LOGIN = (
        "recent_login",
        "DEL-1",
        "A user logged in {days_since_login} {days_since_login:day|days} ago, within the last "
        "{inactivity_days} {inactivity_days:day|days}.",
    )
    #: DEL-1: the balance is at or below the maximum.
    BALANCE_EMPTY = "balance_empty", "DEL-1", "The balance ({balance}) is at or below {threshold}."
    #: DEL-1: money left on the balance.
    BALANCE_REMAINING = (
        "balance_remaining",
        "DEL-1",
        "The balance ({balance}) is above {threshold}: money left on the balance avoids deletion.",
    )
    #: DEL-2: the owner may delete the account.
    OWNER_MAY_DELETE = "owner_may_delete", "DEL-2", "The owner may delete the account."
    #: DEL-2: only the owner may delete the account.
    OWNER_ONLY = (
        "owner_only",
        "DEL-2",
        "Only the account owner may delete the account, not a user with the {role} role.",
    )
    #: DEL-3: only the owner may cancel the pending deletion.
    CANCEL_OWNER_ONLY = (
        "cancel_owner_only",
        "DEL-3",
        "Only the account owner may cancel the account's deletion, not a user with the "
        "{role} role.",
    )
    #: DEL-3: the owner may cancel the pending deletion.
    DELETION_CANCELLABLE = (
        "deletion_cancellable",
        "DEL-3",
        "The owner may cancel the pending deletion.",
    )
    #: DEL-3: the deletion is not pending (``status``: its state, or ``not_scheduled_yet``).
    DELETION_NOT_PENDING = (
        "deletion_not_pending",
        "DEL-3",
        "A deletion can be cancelled only while it is pending, before {deletion_at}; it is "
        "{status:words}.",
    )
    #: DEL-6: inside the retention window.
    INSIDE_RETENTION = (
        "inside_retention",
        "DEL-6",
        "The account is deleted and its data are retained until {restorable_until}: it can be "
        "restored.",
    )
    #: DEL-6: the retention window is over.
    RETENTION_OVER = (
        "retention_over",
        "DEL-6",
        "The retention window ended at {restorable_until}; the data were purged and cannot be "
        "restored.",
    )
    #: DEL-6: the account is not deleted (``status``: its state, or ``not_scheduled_yet``).
    NOT_DELETED = (
        "not_deleted",
        "DEL-6",
        "Only a deleted account can be restored; this one is {status:words}.",
    )
    #: DEL-3: the owner cancelled the pending deletion.
    DELETION_CANCELLED = (
        "deletion_cancelled",
        "DEL-3",
        "The owner cancelled the deletion while it was pending.",
    )
    #: DEL-2: the owner asked for the deletion.
    MANUAL_DELETION = "manual_deletion", "DEL-2", "The owner asked for the deletion."
    #: DEL-7: no longer eligible at the deletion instant: kept.
    NO_LONGER_ELIGIBLE = (
        "no_longer_eligible",
        "DEL-7",
        "The account is no longer eligible at the deletion instant and is kept.",
    )
    #: DEL-7: still eligible at the deletion instant.
    STILL_ELIGIBLE = (
        "still_eligible",
        "DEL-7",
        "The account is still eligible for deletion at the deletion instant.",
    )
    #: DEL-3: a deletion is scheduled (the timeline's ``deletion_scheduled``).
    DELETION_SCHEDULED = (
        "deletion_scheduled",
        "DEL-3",
        "Deletion scheduled for {deletion_date}, {notice_days} {notice_days:day|days} ahead.",
    )
    #: DEL-4: a reminder to the owner (the timeline's ``deletion_reminder``).
    DELETION_REMINDER = (
        "deletion_reminder",
        "DEL-4",
        "Reminder to the owner: the account is deleted in {days} {days:day|days}.",
    )
    #: DEL-6: the account is deleted (the timeline's ``account_deleted``).
    ACCOUNT_DELETED = (
        "account_deleted",
        "DEL-6",
        "The account is deleted; support may restore it until {restorable_until}.",
    )
    #: DEL-6: support restored the account (the timeline's ``account_restored``).
    ACCOUNT_RESTORED = "account_restored", "DEL-6", "Support restored the deleted account."
    #: DEL-6: the retention is over (the timeline's ``data_purged``).
    DATA_PURGED = (
        "data_purged",
        "DEL-6",
        "The retention period is over: the account's data are purged.",
    )


class DeletionQuestion(Question, area=AREA):
    """What the report asks of the deletion area, with the summaries of a yes and a no."""

    DELETE_MANUALLY = "delete_manually", "May delete the account.", "May not delete the account."
    CANCEL_DELETION = (
        "cancel_deletion",
        "May cancel the pending deletion.",
        "May not cancel the deletion.",
    )
    ELIGIBLE_FOR_DELETION = (
        "eligible_for_deletion",
        "Eligible for deletion for inactivity.",
        "Not eligible for deletion for inactivity.",
    )
    DELETION_GOES_AHEAD = (
        "deletion_goes_ahead",
        "The scheduled deletion goes ahead.",
        "The scheduled deletion does not go ahead.",
    )


class DeletionKind(StrEnum):
    """The kinds of the deletion area's transitions (DEL-2 … DEL-7)."""

    #: DEL-2, DEL-3: a deletion is scheduled; the notice and the banner go out.
    DELETION_SCHEDULED = "deletion_scheduled"
    #: DEL-3: the owner cancelled it while pending.
    DELETION_CANCELLED = "deletion_cancelled"
    #: DEL-7: no longer eligible at the deletion instant: the account is kept.
    DELETION_KEPT = "deletion_kept"
    #: DEL-6: the account is deleted.
    ACCOUNT_DELETED = "account_deleted"
    #: DEL-6: support restored it.
    ACCOUNT_RESTORED = "account_restored"
    #: DEL-6: the retention is over: the data are purged.
    DATA_PURGED = "data_purged"
    #: DEL-4: a reminder to the owner.
    DELETION_REMINDER = "deletion_reminder"
