"""Objects by global ID: the ``node(id)`` root field (Relay) and the registry behind it.

Each Node type registers itself beside its definition with ``node_type``: the loader that reads
its rows (within the viewer's scope), how a row becomes the GraphQL object, and the permission
needed to see it. ``node(id)`` looks the type up here, so this module imports no topic.

The same registry builds objects across the import order of the topics' ``types`` modules. Those
modules import each other along one direction (a compound's module imports the tenders', the
enterprises' module imports the compounds'); a field pointing back against it (a community's
compounds, a contract's enterprise) is annotated lazily, and its resolver builds the object with
``builder(m.Compound)`` — looked up when the field resolves, filled when the type's module was
imported — instead of importing the module that would close the circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, overload

import strawberry

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.relay import Node, decode_global_id
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds.types import CompoundType
    from hub.graphql.enterprises.types import EnterpriseType
    from hub.graphql.loaders import BatchLoader, Loaders


@dataclass(frozen=True, slots=True)
class NodeKind:
    """How ``node(id)`` fetches one type: its loader, its conversion and the permission."""

    loader: Callable[[Loaders], BatchLoader[int, Any]]
    convert: Callable[[Any], Node]
    permission: Permission | None
    level: str | None = None
    """The jurisdiction level the row must have (towns and communities share one table)."""


NODE_TYPES: dict[str, NodeKind] = {}
"""The types ``node(id)`` serves, by GraphQL type name; filled by the topics' ``types`` modules.
A record outside the viewer's scope is NOT_FOUND, as if it did not exist (the loaders read
within the scope)."""

BUILDERS: dict[type[Any], Callable[[Any], Any]] = {}
"""Store model → the ``from_model`` of the GraphQL type built from its rows."""


def node_type(
    name: str,
    *,
    loader: Callable[[Loaders], BatchLoader[int, Any]],
    convert: Callable[[Any], Node],
    permission: Permission | None,
    model: type[Any] | None = None,
    level: str | None = None,
) -> None:
    """Declare a Node type for ``node(id)``; with ``model``, also its builder (``builder``)."""
    NODE_TYPES[name] = NodeKind(loader, convert, permission, level)
    if model is not None:
        BUILDERS[model] = convert


@overload
def builder(model: type[m.Compound]) -> Callable[[m.Compound], CompoundType]: ...
@overload
def builder(model: type[m.Enterprise]) -> Callable[[m.Enterprise], EnterpriseType]: ...
def builder(model: type[Any]) -> Callable[[Any], Any]:
    """The function that builds the GraphQL object of a row of ``model`` (for a resolver whose
    module may not import the type's module). The same function each time, so that
    ``BatchLoader.resolve_shared`` can share the objects it builds."""
    return BUILDERS[model]


def database_id(value: str, type_name: str, field: str) -> int:
    """The database id of a global ID that must be of the type named ``type_name``."""
    kind, db_id = decode_global_id(value, field=field)
    if kind != type_name:
        raise BadUserInput(f"{field}: the ID is of a {kind}, expected a {type_name}", field=field)
    return db_id


@strawberry.type
class NodeQuery:
    @strawberry.field(name="node", description="Any object by its global ID (Relay).")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node:
        type_name, db_id = decode_global_id(id)
        if type_name not in NODE_TYPES:
            raise BadUserInput(f"id: objects of type {type_name!r} cannot be fetched by ID")
        kind = NODE_TYPES[type_name]
        if kind.permission is not None:
            require(info, kind.permission, what=f"node of type {type_name}")
        row = await kind.loader(info.context.loaders).load(db_id)
        if row is None or (kind.level is not None and row.level != kind.level):
            raise NotFound(f"no {type_name} has this ID", id=id)
        return kind.convert(row)
