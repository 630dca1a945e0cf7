"""The contract every stage shares: the metric catalog, the official tables as printed, the data model."""
