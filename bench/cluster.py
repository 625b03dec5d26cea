"""Single-linkage clustering speed and exactness on this machine. Issue targets: exact SLINK on 100,000 x 256 clustered
vectors <= 45 s and <= 2 GB, with a partition identical to scipy's single linkage (ARI = 1.0) on a 20,000-point subset;
approximate mode on 1,000,000 x 256 <= 180 s and <= 5 GB, with ARI >= 0.9999 against the exact partition on a subset
(here: exact and approximate SLINK of the same 100,000 records). Data: `clippings.synth.clustered_vectors` (clusters of
about 5 around random centres, spread 0.2) at threshold 0.06. Each measured run is a fresh process; its peak RSS includes
the data and the imports. Writes bench/results/cluster.json.

    .venv/bin/python bench/cluster.py [--skip-1m]
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import isolated, report, timed

T = .06


def exact_run(n):
    from clippings.synth import clustered_vectors
    from clippings.clustering import slink
    from sklearn.metrics import adjusted_rand_score
    x, truth = clustered_vectors(n)
    labels, s = timed(slink, x, T, progress=False)
    return s, len(set(labels)), adjusted_rand_score(truth, labels)


def scipy_check(n):
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import adjusted_rand_score
    from clippings.synth import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=1, spread=.3)  # looser clusters: chaining happens near the threshold
    ref = fcluster(linkage(x.astype(np.float64), 'single', metric='cosine'), T, criterion='distance')
    ours = slink(x, T, progress=False)
    return float(adjusted_rand_score(ref, ours)), len(set(zip(ref, ours))) == len(set(ref)) == len(set(ours))


def approx_run(n):
    from clippings.synth import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=2)
    labels, s = timed(slink, x, T, approximate=True, progress=False)
    return s, len(set(labels))


def approx_vs_exact(n):
    from sklearn.metrics import adjusted_rand_score
    from clippings.synth import clustered_vectors
    from clippings.clustering import slink
    x, _ = clustered_vectors(n, seed=2)
    return float(adjusted_rand_score(slink(x, T, progress=False), slink(x, T, approximate=True, progress=False)))


if __name__ == '__main__':
    res = {'threshold': T}
    (s, c, ari_truth), mb = isolated(exact_run, 100_000)
    res |= {'exact_100k_s': s, 'exact_100k_peak_rss_mib': mb, 'exact_100k_clusters': c, 'exact_100k_met': s <= 45 and mb <= 2048}
    (ari, identical), mb = isolated(scipy_check, 20_000)
    res |= {'scipy_20k_ari': ari, 'scipy_20k_identical_partition': identical, 'scipy_check_peak_rss_mib': mb}
    if '--skip-1m' not in sys.argv:
        (s, c), mb = isolated(approx_run, 1_000_000)
        res |= {'approx_1m_s': s, 'approx_1m_peak_rss_mib': mb, 'approx_1m_clusters': c, 'approx_1m_met': s <= 180 and mb <= 5120}
    res['approx_vs_exact_100k_ari'] = isolated(approx_vs_exact, 100_000)[0]
    report('cluster', res)
