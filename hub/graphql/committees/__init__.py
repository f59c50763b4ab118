"""Owners' committees (业主委员会, R9) in GraphQL: the committees and their workflows."""
