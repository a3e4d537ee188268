from __future__ import annotations

from haven.accounts.models import OrganisationKind
from haven.referrals import agencies
from haven.referrals.management.commands.forces import RegisterCommand
from haven.referrals.safeguarding import load_agencies


class Command(RegisterCommand):
    help = (
        "The register of child protection agencies (children's services of every local authority in England, "
        "Wales and Scotland, and Northern Ireland's five trusts): load it (the shipped one, or --file) or "
        "list the agencies."
    )
    noun = "agencies"
    kind = OrganisationKind.CHILDREN_SERVICES
    columns = agencies.COLUMNS
    shipped = agencies.REGISTER
    read = staticmethod(agencies.read)
    load = staticmethod(load_agencies)
