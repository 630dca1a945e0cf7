"""The office's written output, drafted from the warehouse: a review letter per report (letter.py) and
the year's circular (brief.py). The wording lives in Jinja2 templates (templates/, replaceable by a file
of the same name in the data folder's templates/), rendered to a small Markdown subset that render.py
writes as DOCX, PDF, HTML or Markdown. Every number comes from pipeline.serve.queries."""
from pipeline.serve.writing.brief import brief_context, write_brief
from pipeline.serve.writing.letter import letter_context, write_letter
from pipeline.serve.writing.render import FORMATS

__all__ = ["FORMATS", "brief_context", "letter_context", "write_brief", "write_letter"]
