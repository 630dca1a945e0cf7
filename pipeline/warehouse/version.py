"""The warehouse's schema version, alone: the dashboard checks a warehouse's version without importing the
builder (and the readers it imports)."""
SCHEMA_VERSION = "7"  # 6: the dashboard's marts (marts.sql); 7: check results carry their fields (cells, data)
