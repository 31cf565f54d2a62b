"""Pages that compose several domains: above every domain, below the entry points."""
