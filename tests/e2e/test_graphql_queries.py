"""Each root field over HTTP, on the demo data: towns, compounds, enterprises, the profile,
committees, tenders, statistics, node and viewer."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLCall

SEAT = "阿勒腾席热镇"


async def town_code(gql: GraphQLCall, name: str = SEAT) -> str:
    body = await gql("{ towns { code name } }")
    return next(t["code"] for t in body["data"]["towns"] if t["name"] == name)


async def test_towns_list_the_seven_towns_and_the_office(gql: GraphQLCall) -> None:
    """`towns` returns the seven towns and 水岸新城 with their communities."""
    body = await gql("{ towns { id code name kind communities { code name } } }")
    towns = body["data"]["towns"]
    names = {t["name"] for t in towns}
    assert {"阿勒腾席热镇", "乌兰木伦镇", "伊金霍洛镇", "札萨克镇"} <= names
    assert {"纳林陶亥镇", "红庆河镇", "苏布尔嘎镇"} <= names
    assert len(towns) == 8
    offices = [t for t in towns if t["kind"] == "OFFICE"]
    assert len(offices) == 1 and "水岸新城" in offices[0]["name"]
    seat = next(t for t in towns if t["name"] == SEAT)
    assert {"园林社区", "通格朗社区", "王府路社区"} <= {c["name"] for c in seat["communities"]}
    assert len(seat["communities"]) == 13


async def test_compounds_filter_by_community_and_name(gql: GraphQLCall) -> None:
    """Filtering by community and name search finds the listed compounds of 园林社区."""
    body = await gql("{ towns { name communities { code name } } }")
    seat = next(t for t in body["data"]["towns"] if t["name"] == SEAT)
    yuanlin = next(c["code"] for c in seat["communities"] if c["name"] == "园林社区")
    query = """query($f: CompoundFilterInput) {
      compounds(filter: $f, first: 100) {
        totalCount nodes { name generated community { name } town { name } }
      }
    }"""
    body = await gql(query, f={"communityCode": yuanlin})
    nodes = body["data"]["compounds"]["nodes"]
    listed = {n["name"] for n in nodes if not n["generated"]}
    assert listed == {"民悦A区", "民悦B区", "民悦C区", "百合花园", "富贵苑", "馨雅苑A区"}
    assert body["data"]["compounds"]["totalCount"] == len(nodes)
    assert all(n["community"]["name"] == "园林社区" for n in nodes)
    assert all(n["town"]["name"] == SEAT for n in nodes)

    body = await gql(query, f={"communityCode": yuanlin, "nameContains": "民悦"})
    assert {n["name"] for n in body["data"]["compounds"]["nodes"]} == {
        "民悦A区",
        "民悦B区",
        "民悦C区",
    }


async def test_compound_filters_on_committee_and_enterprise_partition_the_list(
    gql: GraphQLCall,
) -> None:
    """has-committee and has-enterprise split the compounds of a town into complementary sets."""
    code = await town_code(gql)
    query = """query($f: CompoundFilterInput) { compounds(filter: $f, first: 1) { totalCount } }"""

    async def count(**conditions: Any) -> int:
        body = await gql(query, f={"townCode": code, **conditions})
        return int(body["data"]["compounds"]["totalCount"])

    every = await count()
    assert every > 50
    with_committee, without = await count(hasCommittee=True), await count(hasCommittee=False)
    assert with_committee + without == every and with_committee > 0 and without > 0
    served, unserved = await count(hasEnterprise=True), await count(hasEnterprise=False)
    assert served + unserved == every and served > unserved


async def test_compound_by_code_and_by_id_agree(gql: GraphQLCall) -> None:
    """`compound(code:)` and `compound(id:)` return the same compound, with its relations."""
    body = await gql(
        "{ compounds(first: 1, filter: {hasCommittee: true, hasEnterprise: true}) "
        "{ nodes { id code } } }"
    )
    first = body["data"]["compounds"]["nodes"][0]
    query = """query($id: ID, $code: String) { compound(id: $id, code: $code) {
      id code name households floorArea pastWarranty
      currentContract { current selection enterprise { uscc } provenance { source stale } }
      committee { status currentTerm { members { name role } } }
    } }"""
    by_code = await gql(query, code=first["code"])
    by_id = await gql(query, id=first["id"])
    assert by_code == by_id
    compound = by_id["data"]["compound"]
    assert compound["currentContract"]["current"] is True
    assert compound["currentContract"]["provenance"]["source"] == "ordos"
    members = compound["committee"]["currentTerm"]["members"]
    assert len(members) % 2 == 1 and 5 <= len(members) <= 11
    # Committee members' names are personal data: masked for the public.
    assert all(m["name"].endswith("*") for m in members)


async def test_enterprise_filters_and_orderings(gql: GraphQLCall) -> None:
    """Enterprises filter by grade, status and town served, and order by credit score."""
    query = """query($f: EnterpriseFilterInput, $o: EnterpriseOrder) {
      enterprises(filter: $f, orderBy: $o, first: 100) {
        totalCount nodes { name uscc status credit { score grade } }
      }
    }"""
    everyone = (await gql(query))["data"]["enterprises"]
    assert everyone["totalCount"] >= 50
    names = [n["name"] for n in everyone["nodes"]]
    assert names == sorted(names) or len(set(names)) == len(names)

    by_score = (await gql(query, o="CREDIT_SCORE_DESC"))["data"]["enterprises"]["nodes"]
    scores = [n["credit"]["score"] if n["credit"]["score"] is not None else -1 for n in by_score]
    assert scores == sorted(scores, reverse=True)

    top = (await gql(query, f={"creditGrades": ["AAA"]}))["data"]["enterprises"]
    assert top["totalCount"] > 0
    assert all(n["credit"]["grade"] == "AAA" for n in top["nodes"])

    active = (await gql(query, f={"status": "ACTIVE"}))["data"]["enterprises"]
    assert 0 < active["totalCount"] < everyone["totalCount"]

    uscc = everyone["nodes"][3]["uscc"]
    one = (await gql(query, f={"uscc": uscc.lower()}))["data"]["enterprises"]
    assert [n["uscc"] for n in one["nodes"]] == [uscc]

    code = await town_code(gql)
    serving = (await gql(query, f={"servesTownCode": code}))["data"]["enterprises"]
    assert 0 < serving["totalCount"] <= active["totalCount"]


PROFILE = """query($uscc: String) { enterprise(uscc: $uscc) {
  id uscc name legalRepresentative registeredCapital foundedOn status
  provenance { source sourceId syncedAt stale sourceLabel }
  credit { score grade evaluatedOn
           records { category points validToday provenance { source } }
           history { evaluatedOn score grade } }
  contracts { current selection compound { name } tender { code award { enterprise { uscc } } } }
  compoundsServed { name }
  bids { price won tender { code } }
  awards { awardedOn tender { code compound { name } } }
  assessmentYears { year semiAnnualScores semiAnnualAverage dailyInspections deductions
                    assessments { kind items { itemName points } } }
} }"""


async def test_enterprise_profile_consolidates_every_part(gql: GraphQLCall) -> None:
    """The profile joins registration, credit, compounds, tenders, assessments and provenance."""
    body = await gql("""{ enterprises(first: 100, filter: {status: ACTIVE}) {
      nodes { uscc awards { awardedOn } } } }""")
    uscc = next(n["uscc"] for n in body["data"]["enterprises"]["nodes"] if n["awards"])
    profile = (await gql(PROFILE, uscc=uscc))["data"]["enterprise"]

    assert profile["uscc"] == uscc
    assert profile["provenance"]["source"] == "ordos"
    assert profile["provenance"]["sourceLabel"] == "鄂尔多斯物业管理服务平台"
    credit = profile["credit"]
    assert credit["grade"] in {"AAA", "AA", "A", "B", "C"}
    assert credit["history"][-1]["score"] == credit["score"]
    assert credit["history"][-1]["evaluatedOn"] == credit["evaluatedOn"]
    assert any(r["category"] == "BASIC" for r in credit["records"])

    current = {c["compound"]["name"] for c in profile["contracts"] if c["current"]}
    assert current == {c["name"] for c in profile["compoundsServed"]}
    for contract in profile["contracts"]:
        if contract["tender"] is not None:
            assert contract["tender"]["award"]["enterprise"]["uscc"] == uscc

    won = {a["tender"]["code"] for a in profile["awards"]}
    assert won == {b["tender"]["code"] for b in profile["bids"] if b["won"]}

    years = [y["year"] for y in profile["assessmentYears"]]
    assert years == sorted(years, reverse=True) and {2024, 2025} <= set(years)
    for year in profile["assessmentYears"]:
        assert len(year["semiAnnualScores"]) <= 2
        assert all(0 <= s <= 100 for s in year["semiAnnualScores"])


async def test_enterprise_by_id_equals_by_uscc(gql: GraphQLCall) -> None:
    """`enterprise(id:)` and `enterprise(uscc:)` give the same profile."""
    body = await gql("{ enterprises(first: 1) { nodes { id uscc } } }")
    node = body["data"]["enterprises"]["nodes"][0]
    by_id = await gql("query($id: ID) { enterprise(id: $id) { uscc name } }", id=node["id"])
    by_uscc = await gql("query($u: String) { enterprise(uscc: $u) { uscc name } }", u=node["uscc"])
    assert by_id == by_uscc and by_id["data"]["enterprise"]["uscc"] == node["uscc"]


async def test_committees_and_tenders_lists(gql: GraphQLCall) -> None:
    """`committees` and `tenders` page through their records with filters."""
    code = await town_code(gql)
    body = await gql(
        """query($t: String) {
          all: committees(first: 5) {
            totalCount nodes { status compound { name } terms { termNo } }
          }
          town: committees(first: 5, filter: {townCode: $t}) { totalCount }
          expired: committees(first: 100, filter: {status: TERM_EXPIRED}) {
            nodes { termExpired } }
          tenders(first: 10) { totalCount nodes { code status announcedOn bids { price }
                                               candidates { rank } award { awardedOn } } }
          filed: tenders(first: 1, filter: {status: FILED}) { totalCount }
        }""",
        t=code,
    )
    data = body["data"]
    assert 0 < data["town"]["totalCount"] < data["all"]["totalCount"]
    assert all(n["terms"][0]["termNo"] == 1 for n in data["all"]["nodes"])
    assert all(n["termExpired"] for n in data["expired"]["nodes"])
    tenders = data["tenders"]["nodes"]
    dates = [t["announcedOn"] for t in tenders]
    assert dates == sorted(dates, reverse=True)
    assert 0 < data["filed"]["totalCount"] <= data["tenders"]["totalCount"]
    for tender in tenders:
        assert [c["rank"] for c in tender["candidates"]] == sorted(
            c["rank"] for c in tender["candidates"]
        )


async def test_statistics_are_consistent_with_compound_filters(gql: GraphQLCall) -> None:
    """Coverage and formation per town equal what the compound filters count."""
    code = await town_code(gql)
    stats = (
        await gql(
            """query($t: String) {
          banner: statistics { scopeName total { compounds households coverageRate formationRate }
                               towns { code figures { compounds } } }
          town: statistics(townCode: $t) { scopeCode total { compounds compoundsWithEnterprise
              compoundsWithCommittee coverageRate }
              communities { parentCode figures { compounds } } }
          served: compounds(first: 0, filter: {townCode: $t, hasEnterprise: true}) { totalCount }
          formed: compounds(first: 0, filter: {townCode: $t, hasCommittee: true}) { totalCount }
          all: compounds(first: 0) { totalCount }
        }""",
            t=code,
        )
    )["data"]
    banner = stats["banner"]
    assert banner["scopeName"] == "伊金霍洛旗"
    assert banner["total"]["compounds"] == stats["all"]["totalCount"]
    assert sum(t["figures"]["compounds"] for t in banner["towns"]) == banner["total"]["compounds"]
    assert 0 < banner["total"]["coverageRate"] <= 1
    town = stats["town"]
    assert town["scopeCode"] == code
    assert town["total"]["compoundsWithEnterprise"] == stats["served"]["totalCount"]
    assert town["total"]["compoundsWithCommittee"] == stats["formed"]["totalCount"]
    assert {c["parentCode"] for c in town["communities"]} == {code}
    assert sum(c["figures"]["compounds"] for c in town["communities"]) == town["total"]["compounds"]


async def test_node_resolves_every_kind_of_global_id(gql: GraphQLCall) -> None:
    """`node(id:)` returns the same object as the field the ID came from."""
    body = await gql("""{ towns { id name communities { id name } }
      enterprises(first: 1) { nodes { id name } }
      compounds(first: 1) { nodes { id name } }
      committees(first: 1) { nodes { id } }
      tenders(first: 1) { nodes { id code } } }""")
    data = body["data"]
    cases = [
        (data["towns"][0]["id"], "Town"),
        (data["towns"][0]["communities"][0]["id"], "Community"),
        (data["enterprises"]["nodes"][0]["id"], "Enterprise"),
        (data["compounds"]["nodes"][0]["id"], "Compound"),
        (data["committees"]["nodes"][0]["id"], "OwnersCommittee"),
        (data["tenders"]["nodes"][0]["id"], "Tender"),
    ]
    for global_id, type_name in cases:
        found = await gql("query($id: ID!) { node(id: $id) { __typename id } }", id=global_id)
        assert found["data"]["node"] == {"__typename": type_name, "id": global_id}


async def test_viewer_is_the_anonymous_public(public_gql: GraphQLCall) -> None:
    """Without a credential the viewer is the public role."""
    body = await public_gql("{ viewer { authenticated role unitCode permissions } }")
    assert body["data"]["viewer"] == {
        "authenticated": False,
        "role": "public",
        "unitCode": None,
        "permissions": ["owner-credit:check", "read:enterprises", "read:rankings"],
    }
