"""The plan of an object's fields for ``hub.graphql.execution.HubExecutionContext``.

For each selection of a request (a grouped field set), ``FieldPlans.plan`` works out once how
each response field is to be completed: a plain leaf read with ``getattr`` and coerced (a
``Step`` with an ``attribute``), a resolver function called directly without strawberry's
wrapper (a ``Step`` with a ``call``), or graphql-core's own ``execute_field`` (neither). The
execution context then follows the plan for every object of that selection.
"""

from __future__ import annotations

from enum import Enum
from inspect import Parameter
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from strawberry.types.field import StrawberryField


class Step(NamedTuple):
    """One response field of an object, as planned for ``execute_fields``."""

    name: str
    details: FieldDetailsList
    attribute: str | None
    """The Python attribute to read when the field is a plain leaf (``hub.graphql.execution``),
    else None."""
    coerce: Any
    """The leaf type's ``coerce_output_value`` (plain leaves only)."""
    call: Direct | None
    """How to call the field's resolver function directly (see ``FieldPlans.direct``), else None."""


class Direct(NamedTuple):
    """A resolver function that may be called without strawberry's wrapper (see
    ``FieldPlans.direct``)."""

    function: Any
    info: str | None
    """The name of its ``info`` parameter (None: it has none)."""
    info_class: Any
    """What strawberry passes as ``info`` (``StrawberryConfig.info_class``)."""
    field: StrawberryField
    field_def: GraphQLField
    nodes: list[FieldNode]


class FieldPlans:
    """The plans of one request's selections, and what they are built from."""

    def __init__(self, *, info_class: Any) -> None:
        self.info_class = info_class
        """What strawberry passes as ``info`` to a resolver; None when no resolver may be called
        directly (see ``direct``)."""
        # id(grouped field set) → (the set, kept alive so that its id stays its own; the plan)
        self._planned: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        self._enum_coercers: dict[GraphQLEnumType, Any] = {}

    def plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step]:
        """The steps of ``execute_fields`` for this selection (planned once per request)."""
        planned = self._planned.get(id(fields))
        if planned is not None and planned[0] is fields:
            return planned[1]
        steps = []
        for name, details in fields.items():
            node = details[0].node
            field_def = parent_type.fields.get(node.name.value)
            attribute, coerce = None, None
            if (
                field_def is not None
                and not node.arguments
                and getattr(field_def.resolve, "_is_default", False)
            ):
                leaf = field_def.type
                if isinstance(leaf, GraphQLNonNull):
                    leaf = leaf.of_type
                if is_leaf_type(leaf):
                    attribute = field_def.extensions["strawberry-definition"].python_name
                    coerce = self.coercer(leaf)
            call = self.direct(field_def, details) if attribute is None else None
            steps.append(Step(name, details, attribute, coerce, call))
        self._planned[id(fields)] = (fields, steps)
        return steps

    def coercer(self, leaf: Any) -> Any:
        """The leaf type's ``coerce_output_value``; for an enum, remembering the name of each
        member it has coerced (strawberry's looks for it among all the values every time)."""
        coerce = leaf.coerce_output_value
        if not isinstance(leaf, GraphQLEnumType):
            return coerce
        remembered = self._enum_coercers.get(leaf)
        if remembered is None:
            names: dict[Enum, Any] = {}

            def remembered(value: Any) -> Any:
                name = names.get(value) if isinstance(value, Enum) else None
                if name is None:
                    name = coerce(value)
                    if isinstance(value, Enum):
                        names[value] = name
                return name

            self._enum_coercers[leaf] = remembered
        return remembered

    def direct(self, field_def: GraphQLField | None, details: FieldDetailsList) -> Direct | None:
        """How to call the field's resolver function without strawberry's wrapper, when that
        gives the same call: a synchronous method ``(self[, info][, arguments with defaults])``
        without field extensions (permission classes are extensions), no arguments in the
        query (so the function's own defaults apply, from which strawberry takes the schema's
        defaults), and no exception handlers in the schema. The wrapper would build the same
        ``Info``, convert no arguments and call the function with the source as ``self``."""
        if field_def is None or self.info_class is None or details[0].node.arguments:
            return None
        field = field_def.extensions.get("strawberry-definition")
        if not isinstance(field, StrawberryField) or field.extensions:
            return None
        resolver = field.base_resolver
        if resolver is None or resolver.is_async or resolver.self_parameter is None:
            return None
        info = resolver.info_parameter
        if resolver.root_parameter or resolver.parent_parameter:
            return None
        reserved = {resolver.self_parameter.name, info.name if info else None}
        for parameter in resolver.signature.parameters.values():
            if parameter.name not in reserved and parameter.default is Parameter.empty:
                return None
        nodes = [detail.node for detail in details]
        name = info.name if info else None
        return Direct(resolver.wrapped_func, name, self.info_class, field, field_def, nodes)
