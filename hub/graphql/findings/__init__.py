"""Compliance findings (督办事项) in GraphQL: the ``findings`` list and the ``findingOpened``
subscription, both within the viewer's jurisdiction."""
