"""A shorter road through graphql-core for plain leaf fields.

Most fields of a large answer are plain attributes of an object: ``name``, ``score``,
``startsOn``. For each of them graphql-core builds a resolve-info object, looks at the field's
arguments, calls strawberry's default resolver, checks twice whether the value is awaitable and
dispatches on the return type before it coerces the value: several microseconds a field, which
for the nested ``enterprises(first: 100)`` (about 9,400 fields) is a good part of the request.

``HubExecutionContext`` takes a shorter road for exactly those fields — strawberry's default
resolver (no resolver function, no permission classes, no field extensions), no middleware, a
scalar or enum type, no arguments — and only when the value is present: it reads the attribute
as that default resolver does (``getattr``, strawberry's default ``default_resolver``; the hub
does not configure another) and coerces it as graphql-core's ``complete_leaf_value`` does.
Everything else, including a null value (which may be an error to report), takes graphql-core's
own road. The answers are the same; the whole test suite runs through this class.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with a direct path for plain leaf fields (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry always passes a manager; it wraps resolvers only when it holds middleware
        # (a schema extension with a ``resolve`` hook).
        manager = self.middleware_manager
        self._has_middleware = manager is not None and bool(manager.middlewares)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = parent_type.fields.get(node.name.value)
        if (
            field_def is not None
            and not node.arguments
            and not self._has_middleware
            and getattr(field_def.resolve, "_is_default", False)
        ):
            leaf = field_def.type
            if isinstance(leaf, GraphQLNonNull):
                leaf = leaf.of_type
            if is_leaf_type(leaf):
                value = getattr(source, _attribute(field_def))
                if value is not None:
                    coerced = leaf.coerce_output_value(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _attribute(field_def: GraphQLField) -> str:
    """The Python attribute behind a strawberry field (remembered on the field's extensions)."""
    extensions = field_def.extensions
    name = extensions.get("hub-attribute")
    if name is None:
        name = extensions["strawberry-definition"].python_name
        extensions["hub-attribute"] = name
    return name  # type: ignore[no-any-return]
