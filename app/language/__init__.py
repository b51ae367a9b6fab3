"""Language: text encoding, keywords, dates in words, speech measures, written phone numbers."""
