"""QBO's query language: parsed, then run against the stored company."""
