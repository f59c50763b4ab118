"""The special maintenance fund (住宅专项维修资金, R5) in GraphQL."""
