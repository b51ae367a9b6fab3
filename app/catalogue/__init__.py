"""The commune's catalogue: message texts, procedures, hamlets, settings and text rules."""
