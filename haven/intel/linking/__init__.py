"""Linking in the database: record a report's identifiers as sightings of canonical values, then work out
the subjects of the members they touch.

- ``sightings``: a report's reported persons become members, each identifier a sighting of its value.
- ``joining``: the fast path, when a report can only join the subjects it reaches.
- ``partitioning``: the careful path: the members a report can reach (its closure) are partitioned again
  (``haven.intel.partition``: the over-correlation cap, the analysts' merges and splits), and only their
  subjects change.
- ``rebuilding``: every member partitioned at once with the same function (``haven link --rebuild``).
- ``holders``, ``decisions`` and ``common``: what those share.

Subject ids are kept where they can be: a new component takes the old subject that holds most of its members.
"""

from __future__ import annotations

from haven.intake.models import Report
from haven.intel.linking.common import Outcome
from haven.intel.linking.joining import link_by_joining
from haven.intel.linking.partitioning import closure, link_members
from haven.intel.linking.rebuilding import rebuild, tidy_after
from haven.intel.linking.sightings import record_sightings

__all__ = ["Outcome", "closure", "link_members", "link_report", "rebuild", "record_sightings", "tidy_after"]


def link_report(report: Report) -> Outcome:
    """The pipeline step: record the report's identifiers, then link its members, the fast way if it can."""
    sighted = record_sightings(report)
    joined = link_by_joining(sighted.members, sighted.decisions, sighted.neighbourhood)
    return joined or link_members(sighted.members)
