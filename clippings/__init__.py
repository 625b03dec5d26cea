__version__ = "0.1.0"

# The one-call DataFrame API (nbs/14_api.ipynb), loaded on first use so that `import clippings` does not import torch.
_API = ('link', 'cluster', 'dedup', 'train', 'evaluate', 'tune_threshold', 'tune_cluster_threshold', 'tune_fields', 'load_model')

def __getattr__(name):
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'clippings' has no attribute {name!r}")

def __dir__(): return sorted(list(globals()) + list(_API))
