"""Tenders on the tender platform (招投标, R6) in GraphQL: bids, candidates, awards."""
