"""A deterministic demo book: same seed and anchor date, same book, byte for byte."""
