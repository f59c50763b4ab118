"""Post-warranty repairs and the special budget (质保期外维修、专项资金, R4, R13) in GraphQL."""
