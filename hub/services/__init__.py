"""The services: the only layer that combines the store and the domain rules. GraphQL, the CLI and
the scheduler call them; each change runs in ``hub.services.work.change`` (one transaction with
its audit entry).

Every public function that takes a session takes it first and everything else by keyword, and is
named by what it does:

- ``get_<thing>``: one record, or None when there is none;
- ``get_<thing>_or_raise``: one record, or ``NotFound`` (``scope.get_in_scope_or_raise`` for a
  record that must lie in the principal's jurisdiction);
- ``list_<things>`` / ``count_<things>``: several records (executed), or how many;
- ``select_<things>``: the unexecuted ``Select`` of a list, for the caller to page;
- ``create_<thing>`` / ``update_<thing>``: a change that adds or edits a record (it only flushes);
- a step of a workflow keeps the verb of its rule (``escalate``, ``publish``, ``accept``,
  ``decide_objection``, ``restore`` …), the word the mutation and its audit entry use.

Reads take ``principal=`` and narrow to the principal's jurisdiction (``hub.services.scope``).
"""
