"""Evaluation of screening on a labelled corpus.

corpus.jsonl is the corpus, written by generate.py from the message pools beside it
(innocent_en/es.py, violating_en/es.py) and the disguises in obfuscate.py; run.py screens
it with the baseline library and prints precision and recall (``make eval-screening``).
"""
