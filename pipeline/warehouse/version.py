"""The warehouse's schema version, alone: the dashboard checks a warehouse's version without importing the
builder (and the readers it imports)."""
SCHEMA_VERSION = "9"  # 6: the dashboard's marts (marts.sql); 7: check results carry their fields (cells, data);
# 8: mart_quality counts the tables not read (a table not read weighs as an error in the score); 9: a coverage
# cell with a date and no deadline is deadline_unknown, not date_unknown
