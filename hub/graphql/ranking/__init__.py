"""The annual ranking of enterprises and its sanctions (排名、奖惩, R8) in GraphQL."""
