"""The utility companies' data on a compound in GraphQL: connection tasks and outages."""
