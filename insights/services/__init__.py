from .rollups import rollups_refresh

__all__ = ["rollups_refresh"]
