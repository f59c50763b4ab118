"""Trusted documents: the GraphQL operations a deployment has registered (persisted queries).

In production the hub can run registered operations only (``HUB_TRUSTED_DOCUMENTS=require``), so
that a leaked key cannot be used for arbitrary queries. A document is found by the sha256 of its
exact text, the id that Apollo's persisted-query extension sends
(``{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "…"}}}``). Called by
``hub documents`` (registration) and by the GraphQL view (look-up); documents are never changed
or deleted by the hub, so an id always means the same text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import BadUserInput
from hub.store.models import TrustedDocument


def document_id(body: str) -> str:
    """The id of a document: the sha256 of its UTF-8 text, in lower-case hex (Apollo's)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a .graphql file, with the fragments it uses, as a document to register."""

    name: str | None
    body: str

    @property
    def sha256(self) -> str:
        return document_id(self.body)


def split_operations(text: str) -> list[Operation]:
    """The operations of a .graphql file, each as its own document.

    A file with one operation is registered as it is (its id is the sha256 of the file), so that
    a client that hashes the text it sends gets the same id. A file with several operations is
    cut into one document per operation: the operation's own text followed by the text of each
    fragment it uses, in the order of the file, separated by blank lines.
    """
    try:
        document = parse(text)
    except GraphQLSyntaxError as exc:
        raise BadUserInput(f"not a GraphQL document: {exc.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise BadUserInput("the file holds no operation (query, mutation or subscription)")
    if len(operations) > 1 and any(op.name is None for op in operations):
        raise BadUserInput("a file with several operations must name each of them")
    if len(operations) == 1:
        op = operations[0]
        return [Operation(op.name.value if op.name else None, text)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    result = []
    for op in operations:
        used = _fragments_used(op, fragments)
        parts = [_source(op, text)] + [
            _source(f, text) for name, f in fragments.items() if name in used
        ]
        result.append(Operation(op.name.value if op.name else None, "\n\n".join(parts) + "\n"))
    return result


def _source(node: OperationDefinitionNode | FragmentDefinitionNode, text: str) -> str:
    assert node.loc is not None  # parse() keeps locations
    return text[node.loc.start : node.loc.end]


def _fragments_used(
    node: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> set[str]:
    """Names of the fragments an operation spreads, directly or through other fragments."""
    used: set[str] = set()
    pending: list[OperationDefinitionNode | FragmentDefinitionNode] = [node]

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            name = spread.name.value
            if name not in used and name in fragments:
                used.add(name)
                pending.append(fragments[name])

    while pending:
        visit(pending.pop(), Spreads())
    return used


async def get_by_sha256(session: AsyncSession, *, sha256: str) -> TrustedDocument | None:
    """The registered document with this id, or None."""
    return await session.scalar(
        sa.select(TrustedDocument).where(TrustedDocument.sha256 == sha256.lower())
    )


async def list_documents(session: AsyncSession) -> Sequence[TrustedDocument]:
    """Every registered document, oldest first."""
    rows = await session.scalars(sa.select(TrustedDocument).order_by(TrustedDocument.id))
    return rows.all()


async def create_document(
    session: AsyncSession, *, operation: Operation
) -> tuple[TrustedDocument, bool]:
    """Register an operation; (the document, True) when new, (the existing one, False) when its
    text was registered before. Only flushes: the caller owns the transaction."""
    existing = await get_by_sha256(session, sha256=operation.sha256)
    if existing is not None:
        return existing, False
    document = TrustedDocument(
        sha256=operation.sha256, operation_name=operation.name, body=operation.body
    )
    session.add(document)
    await session.flush()
    return document, True
