"""Data: the signal front end (log-mel, beats, tags, rhythm features), corpus readers and training packs."""
