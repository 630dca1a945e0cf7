"""nianbao: read, check and compare China's annual government-information-disclosure reports.

The packages are the stages of one flow, each importing only earlier ones:

    read/       a file (HTML, PDF, Word, text) -> Document (paragraphs, tables as grids)
    extract/    Document -> facts and issues (tables by label and header, prose, identities)
    warehouse/  facts -> a DuckDB warehouse, checked (schema, builder, checks, register)
    refresh/    the weekly job: inbox -> raw store -> workers -> a published warehouse and run report
    serve/      what the dashboard and exports read (queries and measures, exports, reviews, labels)

`spec/` (catalog, the official tables and their printed labels, data model and the `metric:dim` fact key,
findings written from their fields)
and `limits.py` are shared by all; `fetch/` (websites -> inbox) and `demo/` (the bundled reports'
generator) stand beside the flow.
"""
from pipeline.spec.model import PARSER_VERSION

__all__ = ["PARSER_VERSION"]
