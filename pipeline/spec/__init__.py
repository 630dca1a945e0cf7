"""The contract every stage shares: the metric catalog, the official tables as printed, the data model,
and how a check's finding is written from its fields (findings)."""
