"""Voice prompts as staff record them: which prompts exist, and their recordings."""
