"""Owner (occupant) credit (居住领域信用, R11) in GraphQL: the public self-check and the
community's records."""
