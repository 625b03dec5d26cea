"""FAISS linking speed on this machine (issue target: 10,000 queries x 100,000 targets, dim 256, top-1, <= 5 s).
Random unit vectors; exact inner-product search (index build included), and the IVF index for comparison.
Writes bench/results/link.json.

    .venv/bin/python bench/link.py
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import isolated, report, timed


def run(nq, nt, d, kind):
    import numpy as np
    from clippings.retrieval import knn
    rng = np.random.default_rng(0)
    q = rng.standard_normal((nq, d), dtype=np.float32); t = rng.standard_normal((nt, d), dtype=np.float32)
    r, s = timed(knn, q, t, 1, kind=kind)
    return s


if __name__ == '__main__':
    flat_s, flat_mb = isolated(run, 10_000, 100_000, 256, 'flat')
    ivf_s, ivf_mb = isolated(run, 10_000, 100_000, 256, 'ivf')
    report('link', {'flat_10k_x_100k_d256_s': flat_s, 'flat_peak_rss_mib': flat_mb, 'flat_met': flat_s <= 5,
                    'ivf_10k_x_100k_d256_s (training included)': ivf_s, 'ivf_peak_rss_mib': ivf_mb})
