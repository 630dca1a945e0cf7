"""Collecting reports from the agencies' websites into the inbox."""
