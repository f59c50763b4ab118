"""Assessments of enterprises (考核, R8) in GraphQL: daily inspections and semi-annual forms."""
