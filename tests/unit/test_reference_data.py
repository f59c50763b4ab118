"""The banner's reference data file: whole, real names in the demo's code scheme, and the one
source of the demo's real places and units (no database)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from hub.demo import build_dataset, places
from hub.domain.enums import JurisdictionLevel, TownKind, UnitRole, UtilityKind
from hub.reference import ReferenceDataError, reference_data
from hub.reference.data import parse


def document() -> dict[str, Any]:
    text = resources.files("hub.reference").joinpath("banner.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_the_file_lists_the_places_of_the_mission() -> None:
    """The banner, its seven towns, 水岸新城 and 蒙苏经济开发区 (offices), and the thirteen listed
    communities of 阿勒腾席热镇 numbered 150627100001… in the listed order."""
    data = reference_data()
    assert (data.banner.code, data.banner.name) == ("150627", "伊金霍洛旗")
    towns = {town.name: town for town in data.towns}
    assert set(towns) == {
        "阿勒腾席热镇", "乌兰木伦镇", "伊金霍洛镇", "札萨克镇", "纳林陶亥镇", "红庆河镇",
        "苏布尔嘎镇", "水岸新城", "蒙苏经济开发区",
    }  # fmt: skip
    offices = {name for name, town in towns.items() if town.town_kind is TownKind.OFFICE}
    assert offices == {"水岸新城", "蒙苏经济开发区"}
    assert towns["蒙苏经济开发区"].code == "150627401"
    seat = data.communities_of("150627100")
    assert [c.name for c in seat][:3] == ["园林社区", "通格朗社区", "纳林高勒社区"]
    assert [c.code for c in seat] == [f"150627100{n:03d}" for n in range(1, 14)]
    assert all(c.level is JurisdictionLevel.COMMUNITY for c in seat)


def test_every_member_unit_of_the_conference_has_its_demo_code() -> None:
    """zjj, cgj, xfdd, zzb, xcb, dcs, a town-<code> per town-level unit, a community-<code> per
    community and the five utilities, each in the jurisdiction its code names."""
    data = reference_data()
    codes = {unit.code: unit for unit in data.units}
    assert {"zjj", "cgj", "xfdd", "zzb", "xcb", "dcs"} <= set(codes)
    assert codes["zjj"].role is UnitRole.COMPETENT_DEPARTMENT
    for town in data.towns:
        assert codes[f"town-{town.code}"].jurisdiction_code == town.code
    for community in data.communities:
        assert codes[f"community-{community.code}"].jurisdiction_code == community.code
    utilities = {u.utility_kind for u in data.units if u.role is UnitRole.UTILITY}
    assert utilities == set(UtilityKind)
    assert codes["town-150627401"].name == "蒙苏经济开发区管理委员会"


def test_the_demo_takes_its_real_places_and_units_from_the_reference_data() -> None:
    """The demo's towns (all but 蒙苏经济开发区), seat communities and banner-level units are the
    reference data's, codes and names alike."""
    data = reference_data()
    dataset = build_dataset()
    demo_places = {row["code"]: row["name"] for row in dataset.jurisdictions}
    demo_units = {row["code"]: row for row in dataset.member_units}
    for place in data.places:
        if place.code in places.NOT_IN_DEMO:
            assert place.code not in demo_places
            continue
        assert demo_places[place.code] == place.name
    for unit in data.units:
        if unit.jurisdiction_code in places.NOT_IN_DEMO:
            continue
        assert demo_units[unit.code]["role"] is unit.role
        if unit.role is not UnitRole.UTILITY:  # the demo's utilities have generated names
            assert demo_units[unit.code]["name"] == unit.name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["towns"].append(copy.deepcopy(d["towns"][0])), "place code 150627100 twice"),
        (lambda d: d["communities"][0].update(town="150627999"), "no town 150627999"),
        (lambda d: d["banner_units"][6].pop("utility"), "has no utility kind"),
        (lambda d: d["banner_units"].pop(0), "no competent department zjj"),
        (lambda d: d["towns"][0].update(kind="VILLAGE"), "malformed"),
    ],
)
def test_a_file_that_is_not_whole_is_refused(change: Any, message: str) -> None:
    """A duplicate code, an unknown town, a utility without its kind, no 住建局, a bad enum."""
    broken = document()
    change(broken)
    with pytest.raises(ReferenceDataError, match=message):
        parse(broken)
