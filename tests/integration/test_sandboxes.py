"""The sandboxes over HTTP (httpx's ASGITransport): auth, paging, windows, faults and truth."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from connectors.auth import hmac_canonical
from connectors.core import (
    CompoundRef,
    CursorPaging,
    EnterpriseRef,
    Entity,
    InvalidRecord,
    MappedRecord,
    OffsetPaging,
    SourceRef,
    StreamSpec,
    Tombstone,
)
from connectors.ordos import sandbox as ordos_sandbox
from connectors.ordos.client import OrdosConnector
from connectors.sandbox_kit import (
    UTILITY_UNIT_CODES,
    Faults,
    Sandbox,
    demo_credentials,
    index_of,
    iso,
    sandbox_credentials,
    sandbox_of,
)
from connectors.sandboxes import sandbox_apps
from connectors.tender import sandbox as tender_sandbox
from connectors.tender.client import TenderConnector
from connectors.utility import sandbox as utility_sandbox
from connectors.utility.client import UtilityConnector
from hub.demo.dataset import DEFAULT_SEED, DEFAULT_TODAY
from hub.demo.world import demo_world
from hub.domain.names import normalize_compound_name

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # the built data all changed before midnight
MS = timedelta(milliseconds=1)
PLATFORMS = ("ordos", "tender", "utility")
CONNECTORS: dict[str, Any] = {
    "ordos": OrdosConnector(base_url="http://ordos.test", client_id="hub-demo", client_secret="x"),
    "tender": TenderConnector(base_url="http://tender.test", key_id="hub-demo", secret="x"),
    "utility": UtilityConnector(unit_code="utility-water", base_url="http://u.test", api_key="x"),
}
STREAMS = [(p, s.name) for p in PLATFORMS for s in CONNECTORS[p].streams]
SIGNATURE_HEADERS = ("X-Key-Id", "X-Timestamp", "X-Nonce", "X-Content-SHA256", "X-Signature")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Signing(httpx.Auth):
    """Signs each request as the tender platform's CONTRACT.md says."""

    def __init__(self, clock: Clock, *, secret: str = "demo-secret-tender") -> None:
        self.clock = clock
        self.secret = secret
        self.stamp_offset = 0
        self.nonce: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        stamp = str(int(self.clock().timestamp()) + self.stamp_offset)
        nonce = self.nonce or uuid.uuid4().hex
        body_sha256 = hashlib.sha256(request.content).hexdigest()
        target = request.url.raw_path.decode("ascii")
        canonical = hmac_canonical(request.method, target, stamp, nonce, body_sha256)
        signature = hmac.new(self.secret.encode(), canonical.encode(), "sha256").hexdigest()
        values = ("hub-demo", stamp, nonce, body_sha256, signature)
        request.headers.update(zip(SIGNATURE_HEADERS, values, strict=True))
        yield request


@dataclass
class Upstream:
    """A sandbox app and how to talk to it."""

    platform: str
    app: Starlette
    clock: Clock
    auth: httpx.Auth | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def sandbox(self) -> Sandbox:
        return sandbox_of(self.app)

    @property
    def connector(self) -> Any:
        return CONNECTORS[self.platform]

    def spec(self, stream: str) -> StreamSpec:
        return next(s for s in self.connector.streams if s.name == stream)

    def client(self) -> httpx.AsyncClient:
        return http(self.app, auth=self.auth, headers=self.headers)


def http(app: Starlette, **options: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://sandbox.test", **options)


async def token(app: Starlette, secret: str = "demo-secret-ordos") -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": "hub-demo", "client_secret": secret}
    async with http(app) as client:
        return await client.post("/oauth/token", data=form)


async def upstream(
    platform: str, clock: Clock | None = None, *, seed: int = DEFAULT_SEED, **options: Any
) -> Upstream:
    clock = clock or Clock()
    options["world"] = demo_world(seed=seed, today=DEFAULT_TODAY)
    if platform == "ordos":
        app = ordos_sandbox.create_app(clock=clock, **options)
        bearer = (await token(app)).json()["access_token"]
        return Upstream(platform, app, clock, headers={"Authorization": f"Bearer {bearer}"})
    if platform == "tender":
        return Upstream(
            platform, tender_sandbox.create_app(clock=clock, **options), clock, auth=Signing(clock)
        )
    app = utility_sandbox.create_app(unit_code="utility-water", clock=clock, **options)
    return Upstream(platform, app, clock, headers={"X-Api-Key": "demo-key-utility-water"})


def dig(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


async def pull(
    client: httpx.AsyncClient,
    spec: StreamSpec,
    *,
    lower: datetime | None = None,
    upper: datetime = NOW,
    size: int = 100,
) -> list[list[dict[str, Any]]]:
    """The pages of a window, paged the way the connector's StreamSpec says."""
    params: dict[str, Any] = {"updatedTo": iso(upper)} | (
        {"updatedFrom": iso(lower)} if lower else {}
    )
    paging, pages, number, url = spec.paging, [], 0, spec.path
    while True:
        if isinstance(paging, OffsetPaging):
            params |= {paging.offset_param: number * size, paging.limit_param: size}
        elif isinstance(paging, CursorPaging):
            params[paging.size_param] = size
        else:
            params |= {paging.page_param: paging.first_page + number, paging.size_param: size}
        response = await client.get(url, params=params if url == spec.path else None)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(records := dig(body, spec.record_path))
        number += 1
        if isinstance(paging, CursorPaging):
            following = dig(body, paging.next_path)
            if following is None:
                return pages
            if paging.next_is_link:
                url = following
            else:
                params[paging.cursor_param] = following
        elif not records or number * size >= dig(body, paging.total_path or ()):
            return pages


def flat(pages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [record for page in pages for record in page]


def expected(sandbox: Sandbox, stream: str, lower: datetime | None, upper: datetime) -> list[str]:
    truth = sandbox.truth()[stream]
    stamps = {**truth.live, **truth.deleted}
    inside = [(at, i) for i, at in stamps.items() if (lower is None or at >= lower) and at < upper]
    return [i for _, i in sorted(inside)]


# -- auth ------------------------------------------------------------------------------------


async def test_ordos_issues_tokens_only_to_known_clients() -> None:
    """A token needs the right client secret and grant; data needs a token."""
    ordos = await upstream("ordos")
    assert (await token(ordos.app, secret="wrong")).status_code == 401
    issued = (await token(ordos.app)).json()
    assert (issued["token_type"], issued["expires_in"]) == ("Bearer", 3600)
    async with http(ordos.app) as client:
        basic = {
            "Authorization": "Basic " + base64.b64encode(b"hub-demo:demo-secret-ordos").decode()
        }
        form = {"grant_type": "client_credentials"}
        assert (await client.post("/oauth/token", data=form, headers=basic)).status_code == 200
        assert (
            await client.post("/oauth/token", data={"grant_type": "password"})
        ).status_code == 400
        assert (await client.get("/api/v1/enterprises")).status_code == 401
    async with ordos.client() as client:
        assert (await client.get("/api/v1/enterprises")).status_code == 200


async def test_ordos_refuses_an_expired_token() -> None:
    """A token stops working once ``expires_in`` has passed on the sandbox's clock."""
    ordos = await upstream("ordos", token_ttl=600)
    async with ordos.client() as client:
        assert (await client.get("/api/v1/projects")).status_code == 200
        ordos.clock.now += timedelta(seconds=600)
        refused = await client.get("/api/v1/projects")
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_hmac_canonical_string_is_the_one_in_the_contract() -> None:
    """The canonical string is method, path?query, timestamp, nonce and body hash, one a line."""
    lines = ["GET", "/open-api/v2/bids?limit=5", "1795580100", "abc", hashlib.sha256().hexdigest()]
    assert hmac_canonical("get", *lines[1:]) == "\n".join(lines)


async def test_tender_accepts_fresh_signatures_and_refuses_stale_replayed_or_forged_ones() -> None:
    """A signed request passes once; a stale stamp, a reused nonce or a wrong secret get 401."""
    tender = await upstream("tender")
    signing = tender.auth
    assert isinstance(signing, Signing)
    async with tender.client() as client:
        assert (await client.get("/open-api/v2/tenders", params={"limit": 5})).status_code == 200
        signing.stamp_offset = -301
        stale = await client.get("/open-api/v2/tenders")
        signing.stamp_offset, signing.nonce = 0, "once"
        first, replayed = [await client.get("/open-api/v2/awards") for _ in range(2)]
        signing.nonce, signing.secret = None, "not-the-secret"
        forged = await client.get("/open-api/v2/awards")
        unsigned = await client.get("/open-api/v2/awards", auth=None)
    codes = [r.status_code for r in (stale, first, replayed, forged, unsigned)]
    assert codes == [401, 200, 401, 401, 401]
    assert stale.json()["error"]["code"] == "STALE_REQUEST"
    assert replayed.json()["error"]["code"] == "REPLAYED_REQUEST"


async def test_utility_accepts_only_its_own_api_key() -> None:
    """Each company's sandbox takes its own key, not none, not another company's."""
    water = await upstream("utility")
    async with water.client() as client:
        assert (await client.get("/api/v1/outages")).status_code == 200
        for key in ("", "demo-key-utility-power"):
            response = await client.get("/api/v1/outages", headers={"X-Api-Key": key})
            assert response.status_code == 401
            assert response.json()["error"] == "invalid_api_key"


# -- paging and windows ------------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "stream"), STREAMS)
async def test_each_paging_kind_serves_a_window_exactly_once_in_order(
    platform: str, stream: str
) -> None:
    """Every record of ``[lower, upper)`` comes once, in (updatedAt, id) order, across groups of
    equal timestamps that straddle page boundaries."""
    faults = Faults(equal_timestamp_groups=3, equal_timestamp_size=30, deletions=2)
    up = await upstream(platform, faults=faults)
    async with up.client() as client:
        pages = await pull(client, up.spec(stream), size=20)
        ids = [r["id"] for r in flat(pages)]
        assert ids == expected(up.sandbox, stream, None, NOW)
        assert any(
            a[-1]["updatedAt"] == b[0]["updatedAt"] for a, b in itertools.pairwise(pages) if a and b
        )
        stamps = sorted({r["updatedAt"] for r in flat(pages)})
        lower, upper = (datetime.fromisoformat(stamps[len(stamps) * k // 4]) for k in (1, 3))
        window = flat(await pull(client, up.spec(stream), lower=lower, upper=upper, size=7))
    assert [r["id"] for r in window] == expected(up.sandbox, stream, lower, upper)
    assert window[0]["updatedAt"] == iso(lower)
    assert all(datetime.fromisoformat(r["updatedAt"]) < upper for r in window)


async def test_bad_paging_parameters_are_refused() -> None:
    """A naive or garbled bound, a page size out of range or a foreign cursor get a 400."""
    water, tender = await upstream("utility"), await upstream("tender")
    async with water.client() as client:
        bounds = [{"updatedFrom": t} for t in ("2026-11-01T00:00:00", "yesterday")]
        for params in [{"limit": 0}, {"limit": 1001}, {"offset": -1}, *bounds]:
            assert (await client.get("/api/v1/outages", params=params)).status_code == 400
    async with tender.client() as client:
        first = (await client.get("/open-api/v2/bids", params={"limit": 2})).json()
        other = {"cursor": first["next"], "updatedFrom": "2026-01-01T00:00:00Z"}
        for params in ({"cursor": "garbage"}, other):
            response = await client.get("/open-api/v2/bids", params=params)
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "BAD_REQUEST"


# -- records ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def pulled() -> dict[str, list[tuple[StreamSpec, dict[str, Any]]]]:
    """Every record of every stream of the three default sandboxes, with its stream."""
    out = {}
    for platform in PLATFORMS:
        up = await upstream(platform)
        async with up.client() as client:
            out[platform] = [
                (spec, raw)
                for spec in up.connector.streams
                for raw in flat(await pull(client, spec, size=500))
            ]
    return out


async def test_mapped_references_point_at_the_demo_data(pulled: dict[str, Any]) -> None:
    """Every record parses, and its USCCs, compounds and tender codes exist in the demo data."""
    demo = index_of(demo_world(seed=DEFAULT_SEED, today=DEFAULT_TODAY))
    usccs = set(demo.uscc.values())
    compounds = {(town, normalize_compound_name(name)) for town, name in demo.compound.values()}
    tender_codes = set(demo.tender_code.values())
    for platform, records in pulled.items():
        assert records, platform
        for spec, raw in records:
            mapped = CONNECTORS[platform].parse(spec, raw)
            assert isinstance(mapped, MappedRecord)
            for ref in mapped.refs.values():
                if isinstance(ref, EnterpriseRef):
                    assert ref.uscc in usccs
                elif isinstance(ref, CompoundRef):
                    assert (ref.town_code, normalize_compound_name(ref.name)) in compounds
                else:
                    assert isinstance(ref, SourceRef) and ref.source_id in tender_codes


async def test_ordos_and_tender_records_map_to_the_demo_rows(pulled: dict[str, Any]) -> None:
    """A sync from the sandboxes reproduces the demo store: same source ids, same column values."""
    world = demo_world(seed=DEFAULT_SEED, today=DEFAULT_TODAY)
    rows = {r["source_id"]: r for rows in world.tables.values() for r in rows if r.get("source")}
    items = {}
    for item in world.tables["assessment_items"]:
        items.setdefault(item["assessment_id"], []).append(item)
    for platform in ("ordos", "tender"):
        for spec, raw in pulled[platform]:
            mapped = CONNECTORS[platform].parse(spec, raw)
            row = rows[mapped.source_id]
            assert dict(mapped.fields) == {key: row[key] for key in mapped.fields}
            lines = items.get(row["id"], []) if mapped.entity is Entity.INSPECTION else []
            for child, item in zip(mapped.children, lines, strict=True):
                assert dict(child) == {key: item[key] for key in child}
    synced = sum(1 for r in rows.values() if r["source"] in ("ordos", "tender"))
    assert len(pulled["ordos"]) + len(pulled["tender"]) == synced


async def test_deleted_records_come_as_tombstones() -> None:
    """With deletions, each stream serves tombstones that parse to Tombstone of its entity."""
    water = await upstream("utility", faults=Faults(deletions=3))
    async with water.client() as client:
        for spec in water.connector.streams:
            records = flat(await pull(client, spec))
            gone = {r["id"] for r in records if r.get("deleted")}
            assert gone == set(water.sandbox.truth()[spec.name].deleted) and len(gone) == 3
            for raw in records:
                result = water.connector.parse(spec, raw)
                assert isinstance(result, Tombstone) == (raw["id"] in gone)


async def test_a_new_upstream_field_is_accepted() -> None:
    """An unknown field is served on every record, and every record still parses."""
    ordos = await upstream("ordos", faults=Faults(new_field="dataVersion"))
    async with ordos.client() as client:
        records = flat(await pull(client, ordos.spec("inspections"), size=1000))
    assert all(r["dataVersion"] == "sandbox" for r in records)
    assert all(
        isinstance(CONNECTORS["ordos"].parse(ordos.spec("inspections"), r), MappedRecord)
        for r in records
    )


async def test_wrong_typed_records_raise_invalid_record_naming_the_field() -> None:
    """The records listed in wrong_type_ids, and only those, fail ``parse`` with the field named."""
    tender = await upstream("tender")
    bad = {name: sorted(t.live)[:2] for name, t in tender.sandbox.truth().items()}
    faults = {"wrong_type_ids": [i for ids in bad.values() for i in ids]}
    async with tender.client() as client:
        assert (await client.post("/_sandbox/faults", json=faults)).json()["rebuilt"] is False
        truth = (await client.get("/_sandbox/truth")).json()["streams"]
        for spec in tender.connector.streams:
            assert truth[spec.name]["wrongTyped"] == bad[spec.name]
            refused = {}
            for raw in flat(await pull(client, spec, size=1000)):
                try:
                    tender.connector.parse(spec, raw)
                except InvalidRecord as exc:
                    refused[exc.source_id] = exc.reason
            assert sorted(refused) == bad[spec.name]
            field_name = tender.sandbox.streams[spec.name].wrong_field
            assert all(reason.startswith(field_name) for reason in refused.values())


async def test_same_seed_gives_the_same_data() -> None:
    """Two sandboxes with one seed serve identical records; another seed serves others."""
    for platform in PLATFORMS:
        one, two = (await upstream(platform), await upstream(platform))
        assert one.sandbox.truth() == two.sandbox.truth()
        for name, stream in one.sandbox.streams.items():
            bodies = [
                [s.serve(stream, r) for r in s.stores[name].ordered()]
                for s in (one.sandbox, two.sandbox)
            ]
            assert bodies[0] == bodies[1]
    other = await upstream("utility", seed=7)
    assert other.sandbox.truth() != (await upstream("utility")).sandbox.truth()


async def test_extra_records_are_added_to_one_stream() -> None:
    """``extra_records`` adds that many valid records to the chosen stream only."""
    ordos = await upstream("ordos", extra_records=2000)
    truth = ordos.sandbox.truth()
    assert len(truth["credit_records"].live) == 320 + 2000
    assert len(truth["enterprises"].live) == 60
    async with ordos.client() as client:
        records = flat(await pull(client, ordos.spec("credit_records"), size=1000))
    assert len({r["id"] for r in records}) == 2320
    assert all(
        isinstance(ordos.connector.parse(ordos.spec("credit_records"), r), MappedRecord)
        for r in records
    )


# -- faults ----------------------------------------------------------------------------------


async def fault_schedule(faults: Faults, requests: int = 300) -> list[tuple[int, bool]]:
    """Status and truncation of ``requests`` identical page requests to a fresh sandbox."""
    water = await upstream("utility", faults=faults)
    out = []
    async with water.client() as client:
        for _ in range(requests):
            response = await client.get("/api/v1/outages", params={"limit": 5})
            if response.status_code == 429:
                assert response.headers["Retry-After"] == str(faults.retry_after)
            try:
                response.json()
                truncated = False
            except ValueError:  # JSON cut short, maybe inside a UTF-8 character
                truncated = True
            out.append((response.status_code, truncated))
    return out


async def test_faults_appear_at_their_rates_and_replay_with_the_seed() -> None:
    """500s, 429s and cut bodies come at about their rates, in the same order for one seed."""
    faults = Faults(error_rate=0.2, rate_limit_rate=0.1, retry_after=3, truncate_rate=0.15, seed=5)
    schedule = await fault_schedule(faults)
    counts = {kind: sum(1 for s in schedule if s == kind) for kind in set(schedule)}
    # Drawn in turn: 429 (10 %), else 500 (20 % of the rest), else a cut 200 (15 % of the rest).
    assert 15 <= counts[(429, False)] <= 50
    assert 35 <= counts[(500, False)] <= 75
    assert 15 <= counts[(200, True)] <= 50
    assert await fault_schedule(faults) == schedule
    assert await fault_schedule(Faults(**{**faults.to_json(), "seed": 6})) != schedule


async def test_latency_and_timeouts_sleep_as_configured() -> None:
    """Latency sleeps before every answer; a timeout sleeps ``timeout_sleep`` then answers."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    faults = Faults(latency=0.25, timeout_rate=1.0, timeout_sleep=9.0)
    water = await upstream("utility", faults=faults, sleep=sleep)
    async with water.client() as client:
        assert (await client.get("/api/v1/outages")).status_code == 200
    assert slept == [0.25, 9.0]


async def test_faults_endpoint_replaces_faults_and_rebuilds_for_data_knobs() -> None:
    """Data knobs rebuild the data, transport knobs do not; bad faults get a 400."""
    water = await upstream("utility")
    async with water.client() as client:
        response = await client.post("/_sandbox/faults", json={"deletions": 1})
        assert response.json()["rebuilt"] is True
        truth = (await client.get("/_sandbox/truth")).json()["streams"]
        assert all(len(t["deleted"]) == 1 for t in truth.values())
        response = await client.post("/_sandbox/faults", json={"deletions": 1, "error_rate": 1})
        assert response.json()["rebuilt"] is False
        assert (await client.get("/api/v1/outages")).status_code == 500
        for bad in ({"bogus": 1}, {"error_rate": 2}, [1]):
            assert (await client.post("/_sandbox/faults", json=bad)).status_code == 400


# -- truth and changes ---------------------------------------------------------------------------


async def test_truth_and_mutate_endpoints_change_data_like_an_upstream() -> None:
    """Changes are stamped now and show in the truth and the next window (drops vanish without a
    tombstone); reset undoes them."""
    water = await upstream("utility")
    async with water.client() as client:
        before = (await client.get("/_sandbox/truth")).json()
        order = {"updates": 2, "deletes": 1, "inserts": 3, "drops": 1, "stream": "outages"}
        changes = (await client.post("/_sandbox/mutate", json=order)).json()["changes"]["outages"]
        truth = (await client.get("/_sandbox/truth")).json()["streams"]["outages"]
        changed = changes["updated"] + changes["deleted"] + changes["inserted"]
        kinds = ("updated", "deleted", "inserted", "dropped")
        assert [len(changes[k]) for k in kinds] == [2, 1, 3, 1]
        assert changes["dropped"][0] not in truth["live"] | truth["deleted"]
        assert all(truth["live"][i] == iso(NOW) for i in changes["updated"] + changes["inserted"])
        assert truth["deleted"] == {changes["deleted"][0]: iso(NOW)}
        window = flat(await pull(client, water.spec("outages"), lower=NOW, upper=NOW + MS))
        assert sorted(r["id"] for r in window) == sorted(changed)
        for raw in window:
            result = water.connector.parse(water.spec("outages"), raw)
            assert isinstance(result, Tombstone) == (raw["id"] in changes["deleted"])
        everywhere = (await client.post("/_sandbox/mutate", json={"updates": 1})).json()
        assert [len(v["updated"]) for v in everywhere["changes"].values()] == [1, 1]
        for bad in ({"stream": "nope"}, {"updates": -1}, {"colour": "red"}):
            assert (await client.post("/_sandbox/mutate", json=bad)).status_code == 400
        await client.post("/_sandbox/reset")
        assert (await client.get("/_sandbox/truth")).json() == before


async def test_records_changing_while_paged_move_to_the_next_window() -> None:
    """After page 1 some records move to now: a cursor still serves every other record once."""
    tender = await upstream("tender", faults=Faults(mutate_during_paging=5))
    original = expected(tender.sandbox, "bids", None, NOW)
    async with tender.client() as client:
        pages = await pull(client, tender.spec("bids"), size=50)
        moved = {i for i, at in tender.sandbox.truth()["bids"].live.items() if at == NOW}
        later = flat(await pull(client, tender.spec("bids"), lower=NOW, upper=NOW + MS))
    served = [r["id"] for r in flat(pages)]
    assert len(moved) == 5 and len(served) == len(set(served))
    first_page = {r["id"] for r in pages[0]}
    assert set(served) == set(original) - (moved - first_page)
    assert {r["id"] for r in later} == moved


async def test_sandbox_apps_serve_every_source_with_the_demo_credentials() -> None:
    """``sandbox_apps`` has one app per source, each answering its demo credentials."""
    apps = sandbox_apps(demo_world(seed=DEFAULT_SEED, today=DEFAULT_TODAY), clock=Clock())
    utilities = {f"utility:{code}" for code in UTILITY_UNIT_CODES}
    assert set(apps) == set(demo_credentials()) == {"ordos", "tender", *utilities}
    bearer = (await token(apps["ordos"])).json()["access_token"]
    for source, app in apps.items():
        up = Upstream(source.partition(":")[0], app, Clock())
        if source == "ordos":
            up.headers["Authorization"] = f"Bearer {bearer}"
        elif source == "tender":
            up.auth = Signing(up.clock)
        else:
            up.headers["X-Api-Key"] = sandbox_credentials(source)["api_key"]
        async with up.client() as client:
            assert (await client.get(up.connector.streams[0].path)).status_code == 200
