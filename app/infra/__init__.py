"""Infrastructure: configuration, logging, time, provider clients and web helpers; no domain."""
