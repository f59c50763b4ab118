"""The coverage and committee-formation statistics (覆盖率, 组建率) in GraphQL."""
