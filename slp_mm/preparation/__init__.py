"""Offline preparation of a corpus: annotation converters for each source
dataset, pose file readers, and pose extraction from video. Training never
imports it; its output is a corpus (``slp_mm.corpus``)."""
