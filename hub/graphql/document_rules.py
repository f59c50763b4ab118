"""Validation rules that bound the shape of a GraphQL document, each answering with one error.

graphql-core's own rules report every offending node on its own, so a document built to be
refused ("directive overloading", "field duplication" of graphql-cop; introspection in
production) would be answered with hundreds of errors, each found by visiting the whole document
again. These rules count first and stop validation at the first refusal (``DocumentRefused``).
``hub.graphql.limits.Limits`` puts them into the schema's validation, with the depth and alias
limits of strawberry.
"""

from __future__ import annotations

from collections import Counter

from graphql import (
    BREAK,
    DirectiveNode,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    SelectionSetNode,
    ValidationRule,
    Visitor,
    visit,
)
from graphql.validation import ASTValidationRule
from graphql.validation.validate import ValidationAbortedError


class DocumentRefused(ValidationAbortedError):
    """A document over a limit of its shape: validation stops with this error alone."""


def max_directives_rule(limit: int) -> type[ASTValidationRule]:
    """A validation rule refusing, with one error, a document of more than ``limit`` directives
    or of any unknown directive.

    graphql-core reports every unknown directive and every misplaced repetition on its own, so a
    field with ten ``@aa`` is answered with ten errors, a thousand with a hundred ("directive
    overloading" of graphql-cop): the directives are counted before any rule visits a field, and
    over the limit, or at the first unknown one, validation stops with this error alone. Each
    directive of the text counts once (one of a fragment counts once however often the fragment
    is spread: so do its errors).
    """

    class MaxDirectivesRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: object) -> None:
            counter = _DirectiveCounter()
            visit(node, counter)
            if counter.count > limit:
                raise DocumentRefused(f"{counter.count} directives found. Allowed: {limit}")
            schema = self.context.schema
            unknown = [d for d in counter.directives if schema.get_directive(d.name.value) is None]
            if unknown:
                names = Counter(f"@{d.name.value}" for d in unknown)
                said = ", ".join(
                    f"'{name}'" + (f" ({times} times)" if times > 1 else "")
                    for name, times in names.most_common(5)
                )
                plural = "s" if len(names) > 1 else ""
                more = f" and {len(names) - 5} more" if len(names) > 5 else ""
                raise DocumentRefused(f"Unknown directive{plural} {said}{more}.", unknown[0])
            for group in counter.groups:
                names = Counter(d.name.value for d in group)
                for name, times in names.items():
                    directive = schema.get_directive(name)
                    if times > 1 and directive is not None and not directive.is_repeatable:
                        first = next(d for d in group if d.name.value == name)
                        raise DocumentRefused(
                            f"The directive '@{name}' can only be used once at this location "
                            f"(found {times} times).",
                            first,
                        )

    return MaxDirectivesRule


class NoIntrospectionRule(ValidationRule):
    """Production's refusal of introspection, with one error before any other rule runs.

    The only ways into introspection are the fields ``__schema`` and ``__type`` (``__typename``
    is not introspection); graphql-core's ``NoSchemaIntrospectionCustomRule`` reports every
    nested field of an introspection type instead, and its depth rule once more: a dozen errors
    for one refused query.
    """

    def enter_document(self, node: DocumentNode, *_args: object) -> None:
        finder = _IntrospectionFinder()
        visit(node, finder)
        if finder.field is not None:
            raise DocumentRefused(
                "GraphQL introspection has been disabled, but the requested query contained "
                f"the field '{finder.field.name.value}'.",
                finder.field,
            )


class _IntrospectionFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.field: FieldNode | None = None

    def enter_field(self, node: FieldNode, *_args: object) -> object:
        if node.name.value in ("__schema", "__type"):
            self.field = node
            return BREAK
        return None


def max_field_repeats_rule(limit: int) -> type[ASTValidationRule]:
    """A validation rule refusing a selection that asks for the same field more than ``limit``
    times (through its fragments too), with one error.

    The answer holds the field once however often it is asked, but each repeat is compared with
    every other while validating ("field duplication" of graphql-cop: 500 × ``__typename``);
    a client has no reason to repeat a field more than a few times (fragments that overlap).
    """

    class MaxFieldRepeatsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: object) -> None:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            repeats = _FieldRepeats(fragments)
            for definition in node.definitions:
                if isinstance(definition, ExecutableDefinitionNode):
                    name, count = repeats.most_repeated(definition.selection_set)
                    if count > limit:
                        raise DocumentRefused(
                            f"the field {name!r} is selected {count} times in one selection. "
                            f"Allowed: {limit}"
                        )

    return MaxFieldRepeatsRule


class _DirectiveCounter(Visitor):
    """The directives of a document in the order of its text, and grouped by the node they
    stand on."""

    def __init__(self) -> None:
        super().__init__()
        self.directives: list[DirectiveNode] = []
        self.groups: list[tuple[DirectiveNode, ...]] = []

    @property
    def count(self) -> int:
        return len(self.directives)

    def enter(self, node: Node, *_args: object) -> None:
        directives = getattr(node, "directives", None)
        if directives:
            self.directives.extend(directives)
            self.groups.append(tuple(directives))


class _FieldRepeats:
    """How often each response name is asked in a selection, fragments flattened (a fragment's
    own counts are worked out once, so nested spreads cost no more than their text)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._of_fragment: dict[str, Counter[str]] = {}

    def most_repeated(self, selection_set: SelectionSetNode | None) -> tuple[str, int]:
        """The most repeated response name of this selection or of any nested one."""
        worst = ("", 0)
        stack = [selection_set]
        while stack:
            current = stack.pop()
            if current is None:
                continue
            counts = self._flat(current, ())
            if counts:
                name, count = counts.most_common(1)[0]
                if count > worst[1]:
                    worst = (name, count)
            stack.extend(
                getattr(selection, "selection_set", None) for selection in current.selections
            )
        return worst

    def _flat(self, selection_set: SelectionSetNode, seen: tuple[str, ...]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                counts[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, InlineFragmentNode):
                counts += self._flat(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue  # a cycle or an unknown fragment: other rules say so
                if name not in self._of_fragment:
                    self._of_fragment[name] = self._flat(
                        self.fragments[name].selection_set, (*seen, name)
                    )
                counts += self._of_fragment[name]
        return counts
