"""The access specification of the whole GraphQL surface: what each root field, mutation and
subscription needs, for the authorization matrix of ``tests/e2e/test_access.py``.

The needs are written from the meaning of the role table (``hub.domain.access``: the comments of
``Permission``, the grants' descriptions, ``MASTER_DATA``), MISSION.md's rules and
docs/access.md and docs/workflows.md — not copied from the resolvers' own checks, so that a
resolver asking for the wrong permission fails the matrix. Keys with a dot (``enterprise.detail``)
are sub-permissions of a root field; every other key is a field of the schema's root types, and
the completeness test keeps the tables equal to the schema.
"""

from __future__ import annotations

from hub.domain.access import MASTER_DATA, ROLE_TABLE, MasterKind, Permission, Role
from hub.graphql.relay import encode_global_id

P = Permission
Need = Permission | MasterKind | frozenset[Permission] | None
"""A permission; a kind of master data (``WRITE_MASTER_DATA`` and a role of ``MASTER_DATA``);
any one of several permissions; or None: open to everyone."""


def may(role: Role, need: Need) -> bool:
    """Whether the role's grant meets the need."""
    grant = ROLE_TABLE[role]
    if need is None:
        return True
    if isinstance(need, MasterKind):
        return grant.may(P.WRITE_MASTER_DATA) and role in MASTER_DATA[need]
    if isinstance(need, Permission):
        return grant.may(need)
    return any(grant.may(permission) for permission in need)


def bogus(type_name: str) -> str:
    """The global ID of a record of this type that does not exist."""
    return encode_global_id(type_name, 999_999)


# Root field → (a query using it, the permission it needs; None = open to everyone).
# ``$town`` is a town's real global ID, given by the test.
ROOT_FIELDS: dict[str, tuple[str, Permission | None]] = {
    "towns": ("{ towns { code } }", None),
    "viewer": ("{ viewer { role } }", None),
    "node": ("query($town: ID!) { node(id: $town) { id } }", None),  # a Town: open
    "enterprises": (
        "{ enterprises(first: 2) { nodes { uscc credit { grade } } } }",
        P.READ_ENTERPRISES,
    ),
    "enterprise": ('{ enterprise(uscc: "91350200776049653A") { uscc } }', P.READ_ENTERPRISES),
    "enterprise.detail": (
        "{ enterprises(first: 2) { nodes { contracts { startsOn } } } }",
        P.READ_ENTERPRISE_DETAIL,
    ),
    "compounds": ("{ compounds(first: 2) { totalCount nodes { code } } }", P.READ_COMPOUNDS),
    "compound": ('{ compound(code: "150627999999999") { code } }', P.READ_COMPOUNDS),
    "committees": ("{ committees(first: 2) { totalCount } }", P.READ_COMMITTEES),
    "tenders": ("{ tenders(first: 2) { totalCount } }", P.READ_TENDERS),
    "statistics": ("{ statistics { scopeCode } }", P.READ_STATISTICS),
    "conferenceReport": ("{ conferenceReport(year: 2025) { year } }", P.READ_STATISTICS),
    # The special budget (R13) is an aggregated figure of the conference report (workflows.md).
    "budget": ("{ budget(year: 2026) { totalYuan } }", P.READ_STATISTICS),
    "syncSources": ("{ syncSources { name } }", P.READ_SYNC),
    "syncRuns": ("{ syncRuns(first: 1) { totalCount } }", P.READ_SYNC),
    "quarantine": ("{ quarantine(first: 1) { totalCount } }", P.READ_SYNC),
    "reconciliation": ("{ reconciliation(first: 1) { totalCount } }", P.READ_SYNC),
    "auditLog": ("{ auditLog(first: 1) { totalCount } }", P.READ_AUDIT),
    "ledgerItems": ("{ ledgerItems(first: 1) { totalCount } }", P.READ_LEDGER),
    "ledgerStatistics": ("{ ledgerStatistics(groupBy: TOWN) { code } }", P.READ_LEDGER),
    "findings": ("{ findings(first: 1) { totalCount } }", P.READ_FINDINGS),
    "ranking": ("{ ranking(year: 2025) { published } }", P.READ_RANKINGS),
    # Repairs of compounds past their warranty (R4): no permission of their own, compound data.
    "repairProjects": ("{ repairProjects(first: 1) { totalCount } }", P.READ_COMPOUNDS),
    "fundApplications": ("{ fundApplications(first: 1) { totalCount } }", P.READ_FUND),
    "ownerCreditRecords": ("{ ownerCreditRecords(first: 1) { totalCount } }", P.READ_OWNER_CREDIT),
    "ownerCredit": (
        '{ ownerCredit(idNumber: "11010519491231002X", name: "某某") { grade } }',
        P.OWNER_CREDIT_CHECK,
    ),
}

_ON_DAY = '"2026-11-20"'
# Mutation → (a call with valid arguments, the need). The IDs name records that do not exist:
# a permitted role is then refused by validation or NOT_FOUND, never by permission.
MUTATIONS: dict[str, tuple[str, Need]] = {
    "ledgerItemCreate": (
        f'ledgerItemCreate(compoundId: "{bogus("Compound")}", title: "消防通道被占用", '
        "channel: COMPLAINT, category: FIRE_SAFETY, severity: HIGH)",
        P.WORK_LEDGER,
    ),
    "ledgerItemTransition": (
        f'ledgerItemTransition(id: "{bogus("LedgerItem")}", action: ACCEPT)',
        P.WORK_LEDGER,
    ),
    "ledgerItemEscalate": (
        f'ledgerItemEscalate(id: "{bogus("LedgerItem")}", reason: "需镇协调")',
        P.WORK_LEDGER,
    ),
    "rankingPublish": ("rankingPublish(year: 2000)", P.WRITE_ENTERPRISES),
    # An enterprise not yet on the Ordos platform: its local data is the competent department's.
    "enterpriseLocalCreate": (
        'enterpriseLocalCreate(input: {uscc: "91150627MA0000000X", name: "某物业公司", '
        'legalRepresentative: "某某", registeredAddress: "伊金霍洛旗", registeredCapital: 1, '
        f"foundedOn: {_ON_DAY}}})",
        P.WRITE_ENTERPRISES,
    ),
    "enterpriseLocalUpdate": (
        f'enterpriseLocalUpdate(id: "{bogus("Enterprise")}", input: {{name: "某物业公司"}})',
        P.WRITE_ENTERPRISES,
    ),
    # A semi-annual assessment is the competent department's (R8).
    "assessmentRecord": (
        f'assessmentRecord(input: {{kind: SEMI_ANNUAL, enterpriseId: "{bogus("Enterprise")}", '
        f'assessedOn: {_ON_DAY}, half: 2, items: [{{itemCode: "S01", points: 1}}]}})',
        P.WRITE_ENTERPRISES,
    ),
    # A daily inspection: the competent department, or a town or community in its jurisdiction.
    "assessmentRecord.daily": (
        "assessmentRecord(input: {kind: DAILY_INSPECTION, "
        f'enterpriseId: "{bogus("Enterprise")}", compoundId: "{bogus("Compound")}", '
        f'assessedOn: {_ON_DAY}, items: [{{itemCode: "D01", points: 2.5}}]}})',
        frozenset({P.WRITE_ENTERPRISES, P.WRITE_LOCAL}),
    ),
    "repairProjectCreate": (
        f'repairProjectCreate(input: {{compoundId: "{bogus("Compound")}", title: "屋面防水", '
        f"completedOn: {_ON_DAY}, subsidyYuan: 1000}})",
        P.WRITE_LOCAL,
    ),
    "repairAcceptanceRecord": (
        f'repairAcceptanceRecord(projectId: "{bogus("RepairProject")}", party: $party, '
        f"acceptedOn: {_ON_DAY})",
        P.ACCEPT_REPAIRS,
    ),
    "committeeElectionRecord": (
        f'committeeElectionRecord(input: {{compoundId: "{bogus("Compound")}", '
        'assemblyHeldOn: "2026-10-20", startsOn: "2026-11-01", endsOn: "2031-10-31", '
        'members: [{name: "甲", role: CHAIR}]})',
        P.WRITE_LOCAL,
    ),
    "committeeTrainingRecord": (
        f'committeeTrainingRecord(input: {{committeeId: "{bogus("OwnersCommittee")}", '
        f'heldOn: {_ON_DAY}, topic: "业主大会议事规则", hours: "2", attendees: 5}})',
        P.WRITE_LOCAL,
    ),
    "committeeAssessmentRecord": (
        f'committeeAssessmentRecord(input: {{committeeId: "{bogus("OwnersCommittee")}", '
        "year: 2025, result: QUALIFIED})",
        P.ASSESS_COMMITTEES,
    ),
    "fundApplicationCreate": (
        f'fundApplicationCreate(input: {{compoundId: "{bogus("Compound")}", purpose: "电梯维修", '
        'amount: "1000", executor: COMMITTEE})',
        P.WRITE_LOCAL,
    ),
    "fundVoteRecord": (
        f'fundVoteRecord(input: {{applicationId: "{bogus("FundApplication")}", '
        'totalArea: "1000", totalOwners: 10, participatingArea: "900", '
        'participatingOwners: 9, approvingArea: "800", approvingOwners: 8})',
        P.WRITE_LOCAL,
    ),
    "fundDisbursementRecord": (
        f'fundDisbursementRecord(input: {{applicationId: "{bogus("FundApplication")}", '
        'amount: "100"})',
        P.WRITE_LOCAL,
    ),
    "ownerCreditRecordCreate": (
        f'ownerCreditRecordCreate(input: {{compoundId: "{bogus("Compound")}", '
        'idNumber: "11010519491231002X", name: "某某", category: UNPAID_FEES, basis: "判决书"})',
        P.WRITE_LOCAL,
    ),
    "ownerCreditObjectionFile": (
        f'ownerCreditObjectionFile(input: {{recordId: "{bogus("OwnerCreditEntry")}", '
        'reason: "已缴清"})',
        P.WRITE_LOCAL,
    ),
    "ownerCreditObjectionDecide": (
        "ownerCreditObjectionDecide(input: "
        f'{{objectionId: "{bogus("OwnerCreditObjection")}", upheld: true, note: "属实"}})',
        P.WRITE_LOCAL,
    ),
    "ownerCreditRestore": (
        f'ownerCreditRestore(input: {{recordId: "{bogus("OwnerCreditEntry")}"}})',
        P.WRITE_LOCAL,
    ),
    "syncTrigger": ('syncTrigger(source: "nowhere")', P.OPERATE_SYNC),
    "reconciliationResolve": (
        f'reconciliationResolve(id: "{bogus("ReconciliationItem")}", createCompound: true)',
        P.OPERATE_SYNC,
    ),
    "memberUnitCreate": (
        'memberUnitCreate(input: {code: "nobody-new", name: "新成员单位", role: DEPARTMENT})',
        MasterKind.MEMBER_UNIT,
    ),
    "memberUnitUpdate": (
        f'memberUnitUpdate(id: "{bogus("MemberUnit")}", input: {{name: "改名"}})',
        MasterKind.MEMBER_UNIT,
    ),
    "memberUnitRetire": (
        f'memberUnitRetire(id: "{bogus("MemberUnit")}", reason: "退出联席会议")',
        MasterKind.MEMBER_UNIT,
    ),
    "communityCreate": (
        'communityCreate(input: {code: "150627999999", name: "新社区", townCode: "150627999"})',
        MasterKind.COMMUNITY,
    ),
    "communityUpdate": (
        f'communityUpdate(id: "{bogus("Community")}", input: {{name: "改名"}})',
        MasterKind.COMMUNITY,
    ),
    "communityRetire": (
        f'communityRetire(id: "{bogus("Community")}", reason: "合并")',
        MasterKind.COMMUNITY,
    ),
    "compoundCreate": (
        'compoundCreate(input: {code: "150627999999999", name: "新小区", '
        'communityCode: "150627999999"})',
        MasterKind.COMPOUND,
    ),
    "compoundUpdate": (
        f'compoundUpdate(id: "{bogus("Compound")}", input: {{name: "改名"}})',
        MasterKind.COMPOUND,
    ),
    "compoundRetire": (
        f'compoundRetire(id: "{bogus("Compound")}", reason: "重复录入")',
        MasterKind.COMPOUND,
    ),
    "residentCreate": (
        'residentCreate(input: {compoundCode: "150627999999999", kind: OWNER, name: "某某", '
        'idNumber: "11010519491231002X", building: "1", room: "101"})',
        MasterKind.RESIDENT,
    ),
    "residentUpdate": (
        f'residentUpdate(id: "{bogus("Resident")}", input: {{room: "102"}})',
        MasterKind.RESIDENT,
    ),
    "residentRetire": (
        f'residentRetire(id: "{bogus("Resident")}", reason: "搬离")',
        MasterKind.RESIDENT,
    ),
    "committeeMemberJoin": (
        f'committeeMemberJoin(input: {{committeeId: "{bogus("OwnersCommittee")}", name: "乙", '
        f"role: MEMBER, joinedOn: {_ON_DAY}}})",
        MasterKind.COMMITTEE_MEMBER,
    ),
    "committeeMemberLeave": (
        f'committeeMemberLeave(input: {{memberId: "{bogus("CommitteeMember")}", '
        f"leftOn: {_ON_DAY}, reason: RESIGNATION}})",
        MasterKind.COMMITTEE_MEMBER,
    ),
}

OWN_PARTY: dict[Role, str] = {
    Role.COMPETENT_DEPARTMENT: "COMPETENT_DEPARTMENT",
    Role.TOWN: "TOWN",
    Role.COMMUNITY: "COMMUNITY",
}
"""The repair party (``$party``) each role accepts for: its own (R4; the committee's acceptance
is recorded by its community). Other roles try the community's."""

# Subscription → (the subscription, the permission it needs).
SUBSCRIPTIONS: dict[str, tuple[str, Permission | None]] = {
    "findingOpened": ("subscription { findingOpened { rule } }", P.READ_FINDINGS),
}
