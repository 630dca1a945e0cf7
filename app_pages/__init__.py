"""Dashboard pages: one small module per page; they ask `pipeline.queries` (through common.q) for DataFrames."""
