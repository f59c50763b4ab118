"""The joint-conference report (联席会议报告) in GraphQL."""
