"""Member units of the joint conference (R1) in GraphQL: their type and their mutations."""
