"""The sync engine in GraphQL: sources, runs, quarantine, reconciliation and their mutations."""
