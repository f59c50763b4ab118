"""The banner's jurisdictions in GraphQL: towns and communities."""
