"""The caller in GraphQL: the ``viewer`` root field."""
