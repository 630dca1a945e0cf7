"""What the dashboard and exports read: queries and measures, exports, reviews, labels."""
