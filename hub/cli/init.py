"""``hub init``: the banner's reference data into a migrated store, and 住建局's first API key.

The towns and town-level offices, the listed communities of 阿勒腾席热镇 and the member units of
the joint conference come from ``hub/reference/banner.json``; what the store lacks of them is
added in one audited transaction, what it holds is left alone, and a store that disagrees with
them is refused before anything is written (``hub.reference.loading``). The key is the last line
printed, as with ``hub clients create``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import Database, fail, load_settings, run_on_database, say, where

if TYPE_CHECKING:
    from hub.reference.loading import Comparison, InitResult

NO_KEY = (
    "hub: no API key made (住建局 has one in force); `hub init --new-key` or "
    "`hub clients create --unit zjj --role competent_department` makes another"
)


def init(
    new_key: Annotated[
        bool,
        typer.Option("--new-key", help="Make a new API key of 住建局 even if it has one."),
    ] = False,
) -> None:
    """Load the banner's reference data (towns, communities, member units) into a migrated
    store, then print an API key of 住建局 (zjj) as the last line.

    Idempotent: what the store holds already is left alone, and a second run changes nothing
    (a key is made when 住建局 has none in force, or with --new-key). A store whose data
    disagrees with the reference data (a code with another name …) is refused, unchanged.
    """
    from hub.domain.access import Permission
    from hub.reference import reference_data
    from hub.reference.loading import (
        ACTION,
        INIT_PRINCIPAL,
        SUBJECT_TYPE,
        InitResult,
        compare,
        initialize,
    )
    from hub.services import work

    settings = load_settings()
    data = reference_data()

    async def run(database: Database) -> Comparison | InitResult | work.Refusal:
        async with database.sessionmaker() as session:
            comparison = await compare(session, data=data)
        wants_key = new_key or not comparison.competent_has_key
        if comparison.conflicts or (comparison.nothing_to_add and not wants_key):
            return comparison  # nothing to write
        result: InitResult | work.Refusal = await work.change(
            database.sessionmaker,
            work.Actor(INIT_PRINCIPAL),
            action=ACTION,
            permission=Permission.WRITE_MASTER_DATA,
            subject_type=SUBJECT_TYPE,
            work=lambda session: initialize(session, data=data, new_key=new_key),
            subject_id=lambda _: data.banner.code,
            detail_of=lambda done: done.audit_detail,
        )
        return result

    outcome = run_on_database(settings, run)
    say(f"hub: reference data of {data.banner.name} (hub/reference/banner.json), {where(settings)}")
    if isinstance(outcome, work.Refusal):
        raise fail(outcome.message, 1)
    comparison = outcome.comparison if isinstance(outcome, InitResult) else outcome
    if comparison.conflicts:
        say(f"hub: the store disagrees with the reference data ({len(comparison.conflicts)}):")
        for conflict in comparison.conflicts:
            say(f"  - {conflict}")
        raise fail("nothing was changed: correct the store, or load it into an empty one", 1)
    _summary(comparison, added=isinstance(outcome, InitResult))
    if isinstance(outcome, InitResult) and outcome.key is not None:
        say(
            f"hub: API client {outcome.key.client.key_prefix} created for zjj "
            "(competent_department); send it as `Authorization: Bearer <key>`. The key:"
        )
        typer.echo(outcome.key.key)
    else:
        say(NO_KEY)


def _summary(comparison: Comparison, *, added: bool) -> None:
    places, units = len(comparison.missing_places), len(comparison.missing_units)
    if not added:
        places = units = 0
    say(f"  jurisdictions: {places} added, {comparison.present_places} already there")
    say(f"  member units:  {units} added, {comparison.present_units} already there")
    if added and comparison.missing_places:
        missing = comparison.missing_places
        if len(missing) <= 5:
            say("  added: " + ", ".join(place.name for place in missing))
        else:
            levels = Counter(place.level.value.lower() for place in missing)
            say("  added: " + ", ".join(f"{n} {level}" for level, n in levels.items()))
    if comparison.renamed_units:
        kept = ", ".join(f"{unit.code} ({name})" for unit, name in comparison.renamed_units)
        say(f"  kept under the store's names ({len(comparison.renamed_units)}): {kept}")
