"""The DuckDB warehouse: its schema, the builder, the checks, the agency register."""
