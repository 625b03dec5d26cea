"""Single-linkage clustering speed and exactness on this machine. Issue targets: exact SLINK on 100,000 x 256 clustered
vectors <= 45 s and <= 2 GB, with a partition identical to scipy's single linkage (ARI = 1.0) on a 20,000-point subset;
approximate mode on 1,000,000 x 256 <= 180 s and <= 5 GB, with ARI >= 0.9999 against the exact partition on a subset
(here: exact and approximate SLINK of the same 100,000 records). Data: `clippings.vectors.clustered_vectors` (clusters of
about 5 around random centres, spread 0.2) at threshold 0.06. Each measured run is a fresh process; its peak RSS includes
the data and the imports. Speed-ups measured in the same run: exact SLINK over scipy's single linkage (20,000 points) and
over the plain graph — one FAISS range search of all records against all, then scipy's connected components — at
100,000 points (target >= 2x), and the exact search without its principal-axes pre-filter (all 256 dimensions), to
show what the filter contributes. Writes bench/results/cluster.json. With --5m, instead: the approximate mode on
5,000,000 x 256 once (issue target: within 30 minutes and 16 GB peak on one machine), written to
bench/results/cluster_5m.json.

    .venv/bin/python bench/cluster.py [--skip-1m | --5m]
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import isolated, report, timed

T = .06


def exact_run(n):
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    from sklearn.metrics import adjusted_rand_score
    x, truth = clustered_vectors(n)
    labels, s = timed(slink, x, T, progress=False)
    return s, len(set(labels)), adjusted_rand_score(truth, labels)


def scipy_check(n):
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import adjusted_rand_score
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=1, spread=.3)  # looser clusters: chaining happens near the threshold
    ref = fcluster(linkage(x.astype(np.float64), 'single', metric='cosine'), T, criterion='distance')
    ours = slink(x, T, progress=False)
    return float(adjusted_rand_score(ref, ours)), len(set(zip(ref, ours))) == len(set(ref)) == len(set(ours))


def scipy_vs_slink(n):
    "Seconds of scipy's single linkage (float64 cosine) and of our exact SLINK on the same points"
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=1, spread=.3)
    _, s_scipy = timed(lambda: fcluster(linkage(x.astype(np.float64), 'single', metric='cosine'), T, criterion='distance'))
    _, s_ours = timed(slink, x, T, progress=False)
    return s_scipy, s_ours


def plain_graph_vs_slink(n):
    "Seconds of the plain ε-graph (one FAISS range search of all against all + connected components) and of exact SLINK"
    import faiss, numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    from sklearn.metrics import adjusted_rand_score
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n)
    def plain():
        index = faiss.IndexFlatIP(x.shape[1]); index.add(x)
        lims, _, ids = index.range_search(x, 1 - T)
        rows = np.repeat(np.arange(len(x)), np.diff(lims).astype(np.int64))
        return connected_components(sparse.coo_matrix((np.ones(len(ids), np.int8), (rows, ids)), shape=(len(x),) * 2), directed=False)[1]
    ref, s_plain = timed(plain)
    ours, s_ours = timed(slink, x, T, progress=False)
    full, s_full = timed(slink, x, T, filter_dims=None, progress=False)
    assert (full == ours).all()
    return s_plain, s_ours, s_full, float(adjusted_rand_score(ref, ours))


def approx_run(n):
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=2)
    labels, s = timed(slink, x, T, approximate=True, progress=False)
    return s, len(set(labels))


def approx_vs_exact(n):
    from sklearn.metrics import adjusted_rand_score
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=2)
    return float(adjusted_rand_score(slink(x, T, progress=False), slink(x, T, approximate=True, progress=False)))


if __name__ == '__main__':
    if '--5m' in sys.argv:
        (s, c), mb = isolated(approx_run, 5_000_000)
        report('cluster_5m', {'threshold': T, 'approx_5m_s': s, 'approx_5m_peak_rss_mib': mb, 'approx_5m_clusters': c,
                              'approx_5m_met': s <= 1800 and mb <= 16384})
        sys.exit()
    res = {'threshold': T}
    (s, c, ari_truth), mb = isolated(exact_run, 100_000)
    res |= {'exact_100k_s': s, 'exact_100k_peak_rss_mib': mb, 'exact_100k_clusters': c, 'exact_100k_met': s <= 45 and mb <= 2048}
    (ari, identical), mb = isolated(scipy_check, 20_000)
    res |= {'scipy_20k_ari': ari, 'scipy_20k_identical_partition': identical, 'scipy_check_peak_rss_mib': mb}
    (s_scipy, s_ours), _ = isolated(scipy_vs_slink, 20_000)
    res |= {'scipy_single_linkage_20k_s': s_scipy, 'exact_slink_20k_s': s_ours, 'speedup_over_scipy_20k': round(s_scipy / s_ours, 1)}
    (s_plain, s_ours, s_full, ari), _ = isolated(plain_graph_vs_slink, 100_000)
    res |= {'plain_faiss_graph_100k_s': s_plain, 'exact_slink_100k_same_run_s': s_ours, 'plain_graph_vs_slink_ari': ari,
            'exact_slink_100k_without_filter_s': s_full, 'speedup_of_filter_100k': round(s_full / s_ours, 2),
            'speedup_over_plain_graph_100k': round(s_plain / s_ours, 2), 'speedup_over_plain_graph_met': s_plain / s_ours >= 2}
    if '--skip-1m' not in sys.argv:
        (s, c), mb = isolated(approx_run, 1_000_000)
        res |= {'approx_1m_s': s, 'approx_1m_peak_rss_mib': mb, 'approx_1m_clusters': c, 'approx_1m_met': s <= 180 and mb <= 5120}
    res['approx_vs_exact_100k_ari'] = isolated(approx_vs_exact, 100_000)[0]
    report('cluster', res)
