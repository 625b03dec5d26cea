"""Ray scaling on this machine (issue targets: `slink_sharded` overhead over single-process `slink` <= 1.5x on one
machine; `embed_dataset` >= 1.6x faster with 2 local workers than with 1, on 2 cores). Each figure is a ratio of two
timings taken in the same run. Data: 100,000 x 256 clustered vectors at threshold 0.06 (as bench/cluster.py) for
SLINK and linking; for `embed_dataset`, the sample's 2,950 records (crops + OCR) repeated to 40,000 rows (ids made
unique; every 200-row batch holds distinct records) embedded by the shipped model in batches of 200; the
single-process anchor embeds the 2,950 distinct records (it embeds each distinct image and text once), all figures
also as records per second. Each actor's start-up (a fresh Python importing torch and
transformers, then the model: about 10 s on 2 cores) is paid once per call, so the scaling is measured on enough records
(about 250 s of work for one worker) that it is not most of the time.
Ray is started once, locally, with 2 CPUs; its start-up is timed apart. Writes bench/results/scale.json.

    .venv/bin/python bench/scale.py
"""
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import report, timed

T, ROOT = .06, Path(__file__).resolve().parent.parent


def records(n):
    "n rows of the sample's records, repeated as needed, with unique ids"
    import pandas as pd
    from clippings.records import read_records
    recs = read_records(ROOT / 'sample_data/records.parquet')
    out = pd.concat([recs] * (-(-n // len(recs))), ignore_index=True).head(n)
    out['record_id'] = [f'{i:07d}' for i in range(n)]
    out.attrs = recs.attrs
    return out


def embed_scaling(n):
    from clippings.scale import embed_dataset
    recs = records(n)
    out, res = Path(tempfile.mkdtemp()), {}
    embed_dataset(recs.head(64), 'clippings-ja-small', out / 'warm', workers=2, batch_size=32)  # imports and model load cached by the OS
    for w in (1, 2):
        _, s = timed(embed_dataset, recs, 'clippings-ja-small', out / f'w{w}', workers=w, batch_size=200)
        res[f'embed_{n}_records_{w}_worker_s'] = s
        res[f'embed_{w}_worker_records_per_s'] = round(n / s, 1)
    res['embed_scaling_1_to_2_workers'] = round(res[f'embed_{n}_records_1_worker_s'] / res[f'embed_{n}_records_2_worker_s'], 2)
    return res


def single_process_embed(n):
    "The anchor: single-process `embed_records` (torch's default threads) on the sample's distinct records (it embeds each distinct image and text once, so repeated rows would be free)"
    from clippings.models import ClippingsModel
    from clippings.embed import embed_records
    recs = records(n)
    model = ClippingsModel.from_pretrained('clippings-ja-small').eval()
    s = timed(embed_records, model, recs, progress=False)[1]
    return {f'embed_{n}_records_single_process_s': s, 'embed_single_process_records_per_s': round(n / s, 1)}


def slink_overhead(n, shards):
    import numpy as np
    from clippings.vectors import clustered_vectors
    from clippings.clustering import slink
    from clippings.scale import slink_sharded
    x, _ = clustered_vectors(n)
    single, s1 = timed(slink, x, T, progress=False)
    res = {f'slink_{n}_single_process_s': s1}
    for k in shards:
        sharded, s = timed(slink_sharded, x, T, n_shards=k)
        assert (sharded == single).all()
        res[f'slink_sharded_{n}_{k}_shards_s'] = s
        res[f'slink_sharded_{k}_shards_overhead'] = round(s / s1, 2)
    return res


def link_overhead(nq, nt):
    import numpy as np
    from clippings.retrieval import knn, same_up_to_ties
    from clippings.scale import link_sharded
    rng = np.random.default_rng(0)
    q = rng.standard_normal((nq, 256), dtype=np.float32); t = rng.standard_normal((nt, 256), dtype=np.float32)
    one, s1 = timed(knn, q, t, 5)
    many, s2 = timed(link_sharded, q, t, 5, 2)
    assert same_up_to_ties(one, many), 'sharded top-5 differs from one index beyond near-ties'
    return {f'knn_{nq}_x_{nt}_s': s1, f'link_sharded_2_shards_s': s2, 'link_sharded_overhead': round(s2 / s1, 2)}


if __name__ == '__main__':
    from clippings.scale import start
    _, ray_start = timed(start, num_cpus=2)
    res = {'ray_start_s': ray_start}
    res |= slink_overhead(100_000, (2, 4))
    res |= link_overhead(10_000, 100_000)
    res |= single_process_embed(2950)
    res |= embed_scaling(40_000)
    res['slink_overhead_met'] = min(v for k, v in res.items() if k.endswith('shards_overhead')) <= 1.5
    res['embed_scaling_met'] = res['embed_scaling_1_to_2_workers'] >= 1.6
    report('scale', res)
