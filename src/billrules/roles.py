"""The roles every area speaks of: the account ``owner``, an ``admin``, and ``staff``.

An owner is also an admin (POLICIES.md, "Roles used throughout").

>>> from billrules import Role
>>> Role("owner").is_admin, Role.STAFF.is_admin
(True, False)
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """A user's role in an account."""

    OWNER = "owner"
    ADMIN = "admin"
    STAFF = "staff"

    @property
    def is_admin(self) -> bool:
        """Whether the role has the administrator's rights (the owner has them too)."""
        return self is not Role.STAFF
