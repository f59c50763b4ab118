"""Compounds (住宅小区) and their service contracts in GraphQL."""
