"""The audit log in GraphQL: ``auditLog`` to read it, and ``log`` to write a request's entries."""
