"""The cost of a GraphQL operation, estimated from its document before it runs.

Each field costs 1, and the fields under a list count once per item the list may hold: ``first``
for a paged field, an assumed length for other lists. ``hub.graphql.limits`` compares the cost
with the per-request maximum and charges it to the client's budget. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast

from hub.graphql.relay import check_first


@dataclass(frozen=True, slots=True)
class Estimate:
    """What an operation may cost before it runs, and which root fields it selects."""

    cost: int
    root_fields: frozenset[str]


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    list_size: int,
) -> Estimate | None:
    """The cost of the operation: each field costs 1, and the fields under a list count once per
    item it may hold.

    A field with a ``first`` argument (a connection or a paged list) holds ``first`` items
    (variables resolved, the schema's default page size when absent; outside 0…100 it is
    BAD_USER_INPUT); for a connection those are its ``nodes``/``edges``. A list without ``first``
    is assumed to hold ``list_size`` items. Introspection fields cost 1 each: their answers are
    bounded by the schema, not by the data. None when the variables do not fit the operation
    (execution then reports that).
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    estimator = _Estimator(schema, fragments, coerced, list_size)
    cost = estimator.selection_set(operation.selection_set, root, None)
    return Estimate(cost=cost, root_fields=frozenset(estimator.root_fields(operation, root)))


class _Estimator:
    """Walks an operation once; a fragment's cost is remembered per parent type and page size,
    so that spreading the same fragment many times costs time once (no exponential walk)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.list_size = list_size
        self.memo: dict[tuple[int, str, int | None], int] = {}

    def selection_set(self, node: SelectionSetNode, parent: Any, page: int | None) -> int:
        key = (id(node), parent.name, page)
        if key in self.memo:
            return self.memo[key]
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, target or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_set(fragment.selection_set, target or parent, page)
        self.memo[key] = total
        return total

    def field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        name = node.name.value
        field_def = None if name.startswith("__") else getattr(parent, "fields", {}).get(name)
        if field_def is None or node.selection_set is None:
            return 1
        is_list = is_list_type(get_nullable_type(field_def.type))
        multiplier, child_page = 1, None
        if "first" in field_def.args:
            try:
                first = get_argument_values(field_def, node, self.variables).get("first")
            except GraphQLError:
                first = None
            count = check_first(first) if isinstance(first, int) else self.list_size
            multiplier, child_page = (count, None) if is_list else (1, count)
        elif is_list:
            multiplier = page if page is not None else self.list_size
        children = self.selection_set(
            node.selection_set, get_named_type(field_def.type), child_page
        )
        return 1 + multiplier * children

    def root_fields(self, operation: Any, root: Any) -> set[str]:
        names: set[str] = set()
        pending = [operation.selection_set]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    names.add(selection.name.value)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is not None:
                        pending.append(fragment.selection_set)
        return names
