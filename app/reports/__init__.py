"""Monthly figures of a commune, the province's view of them, and the files they are filed as."""
