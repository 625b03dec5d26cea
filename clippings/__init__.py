__version__ = "0.1.0"

# The one-call DataFrame API (nbs/14_api.ipynb), loaded on first use so that `import clippings` does not import torch.
_API = ('link', 'cluster', 'dedup', 'train', 'evaluate', 'tune_threshold', 'tune_cluster_threshold', 'tune_fields', 'load_model')

# Search of whole collections (nbs/17_search.ipynb), loaded the same way.
_SEARCH = ('index', 'open_index', 'tune_alpha', 'index_shards')

def __getattr__(name):
    if name in _API:
        from . import api
        return getattr(api, name)
    if name in _SEARCH:
        from . import search
        return getattr(search, name)
    raise AttributeError(f"module 'clippings' has no attribute {name!r}")

def __dir__(): return sorted(list(globals()) + list(_API) + list(_SEARCH))
