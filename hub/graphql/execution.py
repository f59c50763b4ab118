"""A shorter road through graphql-core for the fields of large answers.

The nested ``enterprises(first: 100)`` completes about 9,400 fields, 3,600 objects and 2,400
lists. For each of them graphql-core goes through half a dozen generic methods: it builds a
resolve-info object and a path for every field, asks whether every value is awaitable, looks for
``@stream`` on every list and for ``@defer`` on every object, and dispatches on the type again
for every list item. ``HubExecutionContext`` overrides four of those methods with versions that
do the same work for the cases this schema has, and hands everything else back to graphql-core:

- ``execute_fields``: the fields of an object are planned once per request and selection
  (``hub.graphql.field_plans``: which are plain leaves); a plain leaf — strawberry's default
  resolver (no resolver function, no permission classes, no field extensions), a scalar or enum
  type, no arguments — is read with ``getattr`` (as that default resolver does) and coerced as
  ``complete_leaf_value`` does, without a path or a resolve-info object. Every other field, and
  a leaf whose value is null or whose reading or coercion fails (which may be an error to
  report), goes through graphql-core's ``execute_field``, which reads it again and reports as it
  always does.
- ``complete_value``: the same dispatch, with object and list types first.
- ``complete_iterable_value``: graphql-core's loop without the ``@stream`` machinery.
- ``complete_object_value``: graphql-core's, without the ``@defer`` machinery.

The short road is taken only where its shortcuts hold: no field middleware (a schema extension
with a ``resolve`` hook), a schema without the ``@defer`` and ``@stream`` directives (strawberry
adds them only with its experimental incremental execution, which the hub does not enable), and
no incremental delivery group in play. Errors, null propagation and awaitable values are handled
as graphql-core does (``handle_field_error``, ``complete_awaitable_value``, the same messages);
``tests/e2e/test_execution_fast_path.py`` compares answers and errors with graphql-core's own
execution, and the whole test suite runs through this class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from contextlib import suppress
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error
from graphql.pyutils import Path, Undefined, gather_with_cancel, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.graphql.field_plans import Direct, FieldPlans


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with a shorter road for plain fields, objects and lists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry always passes a manager; it wraps resolvers only when it holds middleware
        # (a schema extension with a ``resolve`` hook).
        manager = self.middleware_manager
        self._short = not (manager is not None and manager.middlewares) and not any(
            self.schema.get_directive(name) for name in ("defer", "stream")
        )
        self._sync_is_type_of: dict[GraphQLObjectType, bool] = {}
        # What strawberry's resolver wrapper builds for a resolver (see ``FieldPlans``); None
        # where the schema is not strawberry's or converts exceptions with handlers.
        schema = getattr(self.schema, "_strawberry_schema", None)
        self._plans = FieldPlans(
            info_class=schema.config.info_class
            if schema is not None and not schema.exception_handlers and self._short
            else None
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if not self._short or position_context is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for name, details, attribute, coerce, call in self._plans.plan(
                parent_type, grouped_field_set
            ):
                if attribute is not None:
                    try:
                        value = getattr(source_value, attribute)
                        coerced = None if value is None else coerce(value)
                    except Exception:  # an error to report: graphql-core's road below
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        results[name] = coerced
                        continue
                field_path = Path(path, name, parent_type.name)
                if call is not None:
                    result = self._execute_directly(
                        call, parent_type, source_value, details, field_path
                    )
                else:
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, None
                    )
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _settled(results, awaitable_fields)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not self._short or position_context is not None:
            return super().complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        if isinstance(result, Exception):
            raise result
        if isinstance(return_type, GraphQLNonNull):
            completed = self.complete_value(
                return_type.of_type, field_details_list, info, path, result, None
            )
            if completed is None:
                msg = (
                    "Cannot return null for non-nullable field"
                    f" {info.parent_type}.{info.field_name}."
                )
                raise TypeError(msg)
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(return_type, GraphQLObjectType):
            return self.complete_object_value(
                return_type, field_details_list, info, path, result, None
            )
        if isinstance(return_type, GraphQLList) and not self.is_async_iterable(result):
            if not is_iterable(result):
                msg = (
                    "Expected Iterable, but did not find one for field"
                    f" '{info.parent_type}.{info.field_name}'."
                )
                raise GraphQLError(msg)
            return self.complete_iterable_value(
                return_type.of_type, field_details_list, info, path, result, None
            )
        return super().complete_value(return_type, field_details_list, info, path, result, None)

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        if not self._short or position_context is not None:
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        is_awaitable = self.is_awaitable
        complete_item = self._object_item_completer(item_type, field_details_list, info)
        if complete_item is None:
            complete_value = self.complete_value

            def complete_item(item_path: Path, item: Any) -> Any:
                return complete_value(item_type, field_details_list, info, item_path, item, None)

        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(items)
        try:
            for index, item in enumerate(iterator):
                item_path = Path(path, index, None)
                if is_awaitable(item):
                    append(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field_details_list, info, item_path, None
                        )
                    )
                    awaitable_indices.append(index)
                    continue
                try:
                    completed = complete_item(item_path, item)
                    if is_awaitable(completed):
                        completed = self._completed_later(
                            completed, item_type, field_details_list, item_path
                        )
                        awaitable_indices.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    completed = None
                append(completed)
        except Exception:
            # As graphql-core does: settle what is pending, the iterator's remaining items too.
            pending = [completed_results[index] for index in awaitable_indices]
            with suppress(Exception):
                pending.extend(item for item in iterator if is_awaitable(item))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results
        return _settled(completed_results, awaitable_indices)

    def _object_item_completer(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
    ) -> Any:
        """For a list of objects: a function completing one item as ``complete_value`` would,
        with the sub-selection collected once for the whole list; None for other item types."""
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not isinstance(object_type, GraphQLObjectType):
            return None
        is_type_of = object_type.is_type_of
        if is_type_of is not None and not self._is_type_of_answers_now(object_type):
            return None
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        execute_fields = self.execute_fields

        def complete(path: Path, item: Any) -> Any:
            if isinstance(item, Exception):
                raise item
            if item is None or item is Undefined:
                if non_null:
                    msg = (
                        "Cannot return null for non-nullable field"
                        f" {info.parent_type}.{info.field_name}."
                    )
                    raise TypeError(msg)
                return None
            if is_type_of is not None and not is_type_of(item, info):
                raise invalid_return_type_error(object_type, item, field_details_list)
            return execute_fields(object_type, item, path, grouped_field_set, None)

        return complete

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not self._short or position_context is not None:
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )
        is_type_of = return_type.is_type_of
        if is_type_of is not None:
            if not self._is_type_of_answers_now(return_type):
                return super().complete_object_value(
                    return_type, field_details_list, info, path, result, None
                )
            if not is_type_of(result, info):
                raise invalid_return_type_error(return_type, result, field_details_list)
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(
            return_type, field_details_list
        )
        if new_defer_usages:
            return self.execute_collected_subfields(
                return_type, result, path, grouped_field_set, new_defer_usages, None
            )
        return self.execute_fields(return_type, result, path, grouped_field_set, None)

    def _is_type_of_answers_now(self, object_type: GraphQLObjectType) -> bool:
        """True when the type's ``is_type_of`` is the one strawberry builds (an isinstance
        check that returns a bool), not one the type defines itself (which may be awaitable)."""
        answer = self._sync_is_type_of.get(object_type)
        if answer is None:
            definition = object_type.extensions.get("strawberry-definition")
            answer = definition is not None and definition.is_type_of is None
            self._sync_is_type_of[object_type] = answer
        return answer

    def _execute_directly(
        self,
        call: Direct,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        """graphql-core's ``execute_field`` for a field whose resolver is called directly."""
        field_def = call.field_def
        return_type = field_def.type
        info = self.build_resolve_info(field_def, call.nodes, parent_type, path)
        try:
            if call.info is None:
                result = call.function(source)
            else:
                strawberry_info = call.info_class(_raw_info=info, _field=call.field)
                result = call.function(source, **{call.info: strawberry_info})
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, None
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, None
            )
            if self.is_awaitable(completed):
                return self._completed_later(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        item_path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            return None


async def _settled(results: Any, keys: list[Any]) -> Any:
    """``results`` with the awaitables at ``keys`` replaced by their values (graphql-core's
    ``get_results`` / ``get_completed_results``)."""
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        values = await gather_with_cancel(*(results[key] for key in keys))
        for key, value in zip(keys, values, strict=True):
            results[key] = value
    return results
