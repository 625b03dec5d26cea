"""FAISS linking speed on this machine (issue target: 10,000 queries x 100,000 targets, dim 256, top-1, <= 5 s).
Random unit vectors; exact inner-product search (index build included), and the IVF index for comparison.
Also the speed-up of the flat index over a NumPy brute-force product (q @ t.T, then the best column per row, in blocks),
measured in the same run on the same vectors. Writes bench/results/link.json.

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


def numpy_vs_faiss(nq, nt, d):
    "Seconds of a NumPy brute-force top-1 (blocked matrix product + argmax) and of the FAISS flat search, same vectors"
    import numpy as np
    from clippings.retrieval import as_unit_vectors, knn
    rng = np.random.default_rng(0)
    q = as_unit_vectors(rng.standard_normal((nq, d), dtype=np.float32)); t = as_unit_vectors(rng.standard_normal((nt, d), dtype=np.float32))
    def brute():
        return np.concatenate([(q[a:a + 1000] @ t.T).argmax(1) for a in range(0, nq, 1000)])
    best, s_numpy = timed(brute)
    r, s_faiss = timed(knn, q, t, 1)
    return s_numpy, s_faiss, float((r.index[:, 0] == best).mean())


if __name__ == '__main__':
    flat_s, flat_mb = isolated(run, 10_000, 100_000, 256, 'flat')
    ivf_s, ivf_mb = isolated(run, 10_000, 100_000, 256, 'ivf')
    (numpy_s, flat_again_s, same), _ = isolated(numpy_vs_faiss, 10_000, 100_000, 256)
    report('link', {'flat_10k_x_100k_d256_s': flat_s, 'flat_peak_rss_mib': flat_mb, 'flat_met': flat_s <= 5,
                    'ivf_10k_x_100k_d256_s (training included)': ivf_s, 'ivf_peak_rss_mib': ivf_mb,
                    'numpy_brute_force_s': numpy_s, 'flat_same_run_s': flat_again_s, 'same_top1_share': same,
                    'speedup_flat_over_numpy': round(numpy_s / flat_again_s, 2)})
