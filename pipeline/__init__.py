"""nianbao: read, check and compare China's annual government-information-disclosure reports.

A report flows one way: source file -> Document (readers/) -> facts (parse.py, narrative.py)
-> checks -> warehouse -> dashboard and exports.
"""
from .model import PARSER_VERSION

__all__ = ["PARSER_VERSION"]
