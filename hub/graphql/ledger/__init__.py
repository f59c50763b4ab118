"""The ledger (台账, 挂账督办, R3) in GraphQL: items, their workflow and statistics."""
