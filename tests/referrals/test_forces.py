"""The national register of police forces: the shipped data, `haven forces load` and its bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.accounts.models import Organisation, OrganisationKind
from haven.audit.models import AuditEntry
from haven.referrals import forces

pytestmark = pytest.mark.django_db


def test_the_shipped_register_has_every_uk_force_and_the_international_route() -> None:
    register = forces.shipped()
    territorial = [f for f in register if f.kind == "territorial"]
    by_nation = {n: sum(f.nation == n for f in territorial) for n in ("England", "Wales", "Scotland")}
    assert by_nation == {"England": 39, "Wales": 4, "Scotland": 1}
    assert len(territorial) == 43 + 2  # England and Wales, then Police Scotland and the PSNI
    names = {f.name for f in register}
    assert {"Police Scotland", "Police Service of Northern Ireland", "British Transport Police",
            "Metropolitan Police Service", "City of London Police"} <= names  # fmt: skip
    assert [f.code for f in register if f.kind == "international"] == ["nca-international"]
    assert len({f.code for f in register}) == len(register) == 47


def test_loading_adds_the_forces_once_and_audits_it() -> None:
    Organisation.objects.create(slug="kent", name="Kent (old name)", kind=OrganisationKind.POLICE_FORCE)
    out = io.StringIO()
    call_command("forces", "load", stdout=out)
    assert "47 forces: 46 added, 1 renamed, 0 unchanged" in out.getvalue()
    assert Organisation.objects.get(slug="kent").name == "Kent Police"
    again = io.StringIO()
    call_command("forces", "load", stdout=again)
    assert "0 added, 0 renamed, 47 unchanged" in again.getvalue()
    assert Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).count() == 47
    entry = AuditEntry.objects.get(action="referrals.forces_loaded")
    assert entry.details["renamed"] == ["kent"] and len(entry.details["added"]) == 46
    listing = io.StringIO()
    call_command("forces", "list", stdout=listing)
    assert "greater-manchester\tGreater Manchester Police" in listing.getvalue()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,name\nkent,Kent Police\n", "line 1: the header must be code,name,kind,nation"),
        ("code,name,kind,nation\nKent Police,Kent Police,territorial,England\n", "line 2: code: expected"),
        ("code,name,kind,nation\nkent,Kent Police,county,England\n", "line 2: kind: expected one of"),
        ("code,name,kind,nation\nkent,Kent Police,territorial,\nkent,Kent,territorial,\n",
         "line 3: code 'kent' appears twice"),
        ("code,name,kind,nation\nkent,,territorial,England\n", "line 2: name: expected"),
    ],
)  # fmt: skip
def test_a_bad_register_is_refused_whole_naming_the_file_and_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "forces.csv"
    path.write_text(text)
    with pytest.raises(CommandError) as raised:
        call_command("forces", "load", "--file", str(path), stdout=io.StringIO())
    assert str(raised.value).startswith(f"{path}: {problem}")
    assert not Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).exists()


def test_a_code_taken_by_another_kind_of_organisation_is_refused(tmp_path: Path) -> None:
    Organisation.objects.create(slug="kent", name="Kent Widgets", kind=OrganisationKind.INDUSTRY)
    with pytest.raises(CommandError, match="kent: already an organisation of kind industry"):
        call_command("forces", "load", stdout=io.StringIO())
    assert not Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).exists()
