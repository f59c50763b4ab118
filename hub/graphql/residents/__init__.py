"""Residents (owners and occupants, 业主 / 使用人) in GraphQL: their type, a compound's list of
them (``Compound.residents``) and their mutations."""
