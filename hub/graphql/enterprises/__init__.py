"""Property service enterprises in GraphQL: the consolidated profile (企业画像)."""
