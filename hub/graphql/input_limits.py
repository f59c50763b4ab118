"""One check of every text a client sends, before any resolver runs (``InputLimits``).

Every string of an operation — in a literal argument or in a variable, at any depth of an input
object or a list — must be text both databases keep alike (``hub.domain.text``): no NUL
character, no lone UTF-16 surrogate, at most ``MAX_TEXT_LENGTH`` characters, and at most
``MAX_SEARCH_LENGTH`` for a filter's strings (the fields of a ``…FilterInput`` and every
``…Contains``), which become LIKE patterns (SQLite refuses a pattern over 50,000 bytes). The
first string that fails refuses the whole operation with BAD_USER_INPUT naming the argument;
nothing runs, so nothing is written.

A refused mutation still leaves an audit entry (outcome ``invalid``) for each of its root
fields, as every mutation does (README, "Audit log"). Each field's own length (a ledger title
fits in 200 characters) is the service's to check, from the column that keeps it: that refusal
is the mutation's ``ValidationFailed`` payload (``hub.services.validation``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast, type_from_ast
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension

from hub.domain.text import MAX_SEARCH_LENGTH, MAX_TEXT_LENGTH, text_problem
from hub.errors import BadUserInput
from hub.graphql.context import HubContext
from hub.services import audit

logger = logging.getLogger("hub.graphql")


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a string stands: its path for the message, and whether it is a search string."""

    path: str
    search: bool = False

    def into(self, name: str, *, search: bool = False) -> _Place:
        return _Place(f"{self.path}.{name}", self.search or search or _is_search(name))


def _is_search(name: str) -> bool:
    return name.endswith("Contains")


def _is_filter(type_: GraphQLInputObjectType) -> bool:
    return type_.name.endswith("FilterInput")


def _check(value: str, place: _Place) -> None:
    cap = MAX_SEARCH_LENGTH if place.search else MAX_TEXT_LENGTH
    problem = text_problem(value, max_length=cap)
    if problem is not None:
        raise BadUserInput(f"{place.path}: {problem}", field=place.path)


def _check_value(value: Any, type_: GraphQLInputType, place: _Place) -> None:
    """Check the strings of a variable's value, walking it along its GraphQL type."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        for item in value if isinstance(value, list) else [value]:
            _check_value(item, type_.of_type, place)
        return
    if isinstance(type_, GraphQLInputObjectType):
        if isinstance(value, Mapping):
            search = _is_filter(type_)
            for name, field in type_.fields.items():
                if name in value:
                    _check_value(value[name], field.type, place.into(name, search=search))
        return
    if isinstance(value, str):  # a String, an ID, an enum's or a custom scalar's text
        _check(value, place)


class _Literals(Visitor):
    """Checks the string literals of a document, naming each by its argument and fields."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.places: list[_Place] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.places.append(_Place(node.name.value, _is_search(node.name.value)))

    def leave_argument(self, *_: Any) -> None:
        self.places.pop()

    def enter_object_field(self, node: Any, *_: Any) -> None:
        parent = get_named_type(self.type_info.get_parent_input_type())
        search = isinstance(parent, GraphQLInputObjectType) and _is_filter(parent)
        top = self.places[-1] if self.places else _Place("input")
        self.places.append(top.into(node.name.value, search=search))

    def leave_object_field(self, *_: Any) -> None:
        self.places.pop()

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        _check(node.value, self.places[-1] if self.places else _Place("value"))


def check_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> None:
    """BAD_USER_INPUT for the first string of the operation that the hub does not accept."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return  # graphql-core reports it
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if variables and name in variables and type_ is not None:
            _check_value(variables[name], type_, _Place(f"${name}"))  # type: ignore[arg-type]
    type_info = TypeInfo(schema)
    checked = DocumentNode(
        definitions=(
            operation,
            *(d for d in document.definitions if isinstance(d, FragmentDefinitionNode)),
        )
    )
    visit(checked, TypeInfoVisitor(type_info, _Literals(type_info)))


def root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> Iterator[str]:
    """The names of the root fields an operation selects (through its fragments)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    seen: set[str] = set()

    def walk(selections: SelectionSetNode) -> Iterator[str]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection.name.value
            elif isinstance(selection, InlineFragmentNode):
                yield from walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    seen.add(name)
                    yield from walk(fragments[name].selection_set)

    yield from dict.fromkeys(walk(operation.selection_set))


class InputLimits(SchemaExtension):
    """Refuses an operation with a string the hub does not accept (see the module).

    It runs after validation (the document is valid, the variables' names known) and before
    execution; a refusal becomes the operation's result, so ``ErrorCodes`` gives it its code and
    request id like any other error.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None:
            try:
                check_operation(
                    execution.schema._schema,
                    document,
                    operation_name=execution.operation_name,
                    variables=execution.variables,
                )
            except BadUserInput as refusal:
                error = GraphQLError(refusal.message, original_error=refusal)
                execution.result = GraphQLExecutionResult(data=None, errors=[error])
                await self._audit_refused_mutation(document)
            except Exception:  # a bug of the check must not stop the hub: the services check too
                logger.exception("the input check failed; operation admitted")
        yield

    async def _audit_refused_mutation(self, document: DocumentNode) -> None:
        """Each root field of a refused mutation leaves its ``invalid`` audit entry."""
        execution = self.execution_context
        context = execution.context
        operation = get_operation_ast(document, execution.operation_name)
        if (
            not isinstance(context, HubContext)
            or operation is None
            or operation.operation is not OperationType.MUTATION
        ):
            return
        name = operation.name.value if operation.name else None
        events = [
            audit.AuditEvent(
                action=action, outcome="invalid", operation=name, request_id=context.request_id
            )
            for action in root_fields(document, operation)
            if action != "__typename"
        ]

        async def write(session: AsyncSession) -> None:
            for event in events:
                audit.record(session, principal=context.viewer, event=event, at=context.now)

        await context.db.transaction(write)
