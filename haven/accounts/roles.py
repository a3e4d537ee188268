"""Which role may do what, and in which kind of organisation. The only place this is written down."""

from __future__ import annotations

from haven.accounts.models import OrganisationKind, Role, User
from haven.core.access import Permission

P = Permission

# An analyst works reports and subjects; a supervisor does all of that too, and oversees.
ANALYST = frozenset(
    {
        P.STAFF_HOME,
        P.REPORTS_VIEW,
        P.SUBJECTS_VIEW,
        P.SUBJECTS_DECIDE,
        P.HASHBANK_VIEW,
        P.REFERRALS_VIEW,
        P.REFERRALS_SEND,
        P.INSIGHTS_VIEW,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ANALYST: ANALYST,
    Role.GRADER: frozenset({P.STAFF_HOME, P.HASHBANK_VIEW, P.HASHBANK_GRADE}),
    Role.SUPERVISOR: ANALYST
    | {P.AUDIT_VIEW, P.HASHBANK_GRADE, P.HASHBANK_MANAGE, P.REPORTS_RETRY, P.PRIORITY_OVERRIDE},
    Role.FORCE_LIAISON: frozenset({P.STAFF_HOME, P.REFERRALS_VIEW, P.REFERRALS_RESPOND, P.REPORTS_SUBMIT}),
    # Children's services staff see and answer their own agency's safeguarding referrals, and nothing else.
    Role.SAFEGUARDING_LIAISON: frozenset({P.STAFF_HOME, P.REFERRALS_VIEW, P.REFERRALS_RESPOND}),
    Role.PARTNER: frozenset({P.STAFF_HOME}),
    Role.ADMIN: frozenset({P.STAFF_HOME, P.ACCOUNTS_MANAGE, P.INSIGHTS_VIEW, P.EXCLUSIONS_MANAGE}),
}

# A role is bound to a kind of organisation. A user whose organisation does not fit the role (for instance
# an analyst moved into a police force by a database edit) has no permissions at all.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.ANALYST: frozenset({OrganisationKind.CENTRE}),
    Role.GRADER: frozenset({OrganisationKind.CENTRE}),
    Role.SUPERVISOR: frozenset({OrganisationKind.CENTRE}),
    Role.ADMIN: frozenset({OrganisationKind.CENTRE}),
    Role.FORCE_LIAISON: frozenset({OrganisationKind.POLICE_FORCE}),
    Role.SAFEGUARDING_LIAISON: frozenset({OrganisationKind.CHILDREN_SERVICES}),
    Role.PARTNER: frozenset({OrganisationKind.INDUSTRY, OrganisationKind.HOTLINE}),
}

# Every role signs in with a second factor; the set exists so that a future role can say otherwise explicitly.
ROLES_REQUIRING_2FA: frozenset[str] = frozenset(Role.values)


def permissions_of(user: User) -> frozenset[Permission]:
    if not user.is_active:
        return frozenset()
    if user.organisation.kind not in ROLE_ORGANISATION_KINDS.get(user.role, frozenset()):
        return frozenset()
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_permission(user: User, permission: Permission) -> bool:
    return permission in permissions_of(user)
