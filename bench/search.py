"""Search measured like a retrieval system: ranking tables, near-duplicate photos under attacks, and search at scale.

(a) Retrieval on the sample (MRR@1,3,5,10,20 and R@k of the test queries; α and the text weight tuned on the val
    queries by `clippings.search.tune_alpha`), for BM25 on the OCR, vectors, hybrid linear and hybrid RRF, with the
    shipped model and, beside it, an untrained model of the same shape (seeded random weights):
    - Japanese: a typed clean name (the printed title) finds the crops of its firm among the val+test directory
      records, indexed with their noisy OCR;
    - newspaper: three words of a caption find the photos of its story (all reprints) among the val+test photos;
    - text → image: 1,000 directory crops in an image-only index, each searched with its own clean name.
(b) Near-duplicate search: 300 directory crops, each attacked 7 ways, searched against a gallery of the 1,000 crops
    of (a) plus 1,950 distractors (the sample's other crops): R@1 and R@10 for 16×16 pixel thumbnails, pHash
    (`imagehash`, Hamming distance) and the model's image tower.
(c) Scale: unit vectors of the model's width (128; intrinsic dimension 32 plus noise: real embeddings of a million
    records cannot be computed here) at 100k and 1M: build time, memory, recall@10 against exact search and queries
    per second for flat, IVF-Flat (nprobe sweep) and HNSW (efSearch sweep), single queries on the machine's cores;
    BM25 (tantivy) over 1M synthetic firm names: build time, size, p50/p95 latency; hybrid p50/p95 with HNSW.
    Each figure sits beside exact flat search measured in the same run.

    .venv/bin/python bench/search.py [--sizes 100000,1000000] [--skip a,b,c]

Writes bench/results/search.json and bench/results/search_*.png.
"""
import argparse, json, os, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import RESULTS, firm_names, report

import numpy as np, pandas as pd

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / 'sample_data'


def untrained(model):
    "A model of the shipped model's shape with seeded random weights (the baseline of the vector side)"
    import copy, torch
    m = copy.deepcopy(model)
    torch.manual_seed(0)
    for mod in m.modules():
        if hasattr(mod, 'reset_parameters') and mod is not m: mod.reset_parameters()
    return m.eval()


def retrieval(tmp):
    from clippings.api import load_model
    from clippings.records import read_records
    from clippings.search import RRF, index, retrieval_table, search_candidates, search_ranks, tune_alpha
    shipped = load_model('clippings-ja-small')
    out, rng = {}, np.random.default_rng(0)
    recs = read_records(SAMPLE / 'records.parquet')
    lab = recs[recs['split'].isin(['val', 'test'])]
    names = lambda s: lab[lab['split'] == s].groupby('entity_id', as_index=False)['printed'].first().rename(columns={'printed': 'query'})
    news = read_records(SAMPLE / 'newspaper' / 'records.parquet')
    nlab = news[news['split'].isin(['val', 'test'])]
    def words(s):
        g = nlab[nlab['split'] == s].groupby('entity_id', as_index=False)['printed'].first()
        pick = lambda t: ' '.join(rng.choice([w for w in t.split() if len(w) > 2] or t.split(), 3, replace=False))
        return g.assign(query=[pick(t) for t in g['printed']])
    tasks = {'japanese': (lab, 'text_noisy', SAMPLE, names('val'), names('test')),
             'newspaper': (nlab, 'text', SAMPLE / 'newspaper', words('val'), words('test'))}
    for task, (df, col, root, val_q, test_q) in tasks.items():
        rows = {}
        for mname, model in (('shipped', shipped), ('untrained', untrained(shipped))):
            idx = index(df, tmp / f'{task}_{mname}', model=model, text=col, image='image_path', id='record_id', root=root,
                        progress=False, overwrite=True)
            tuned = tune_alpha(idx, val_q, label='entity_id')
            cands = search_candidates(idx, test_q)
            runs = {'BM25': ('lexical', None), f'vector ({mname})': ('vector', None),
                    f'hybrid linear ({mname}, α {tuned.alpha:g}, text_wt {tuned.text_wt:g})': ('hybrid', idx.fusion('linear')),
                    f'hybrid RRF ({mname})': ('hybrid', RRF())}
            if mname == 'untrained': runs.pop('BM25')
            rows.update({n: search_ranks(idx, test_q, cands, m, f, label='entity_id') for n, (m, f) in runs.items()})
        t = retrieval_table(rows).round(4)
        print(f'\n{task} ({len(test_q)} test queries, {len(df)} records)\n', t.to_string())
        out[task] = dict(queries=len(test_q), val_queries=len(val_q), records=len(df), table=t.reset_index().to_dict('records'))
    crops = recs[recs['side'] == 'target'].sort_values('record_id').head(1000)
    own = crops[['record_id', 'printed']].rename(columns={'printed': 'query'}).assign(relevant=[[r] for r in crops['record_id']])
    rows = {}
    for mname, model in (('shipped', shipped), ('untrained', untrained(shipped))):
        iidx = index(crops, tmp / f'crops_{mname}', model=model, text=None, image='image_path', id='record_id', root=SAMPLE,
                     progress=False, overwrite=True)
        rows[f'text → image ({mname})'] = search_ranks(iidx, own, search_candidates(iidx, own), 'vector', relevant='relevant')
    t = retrieval_table(rows).round(4)
    print('\ntext → image\n', t.to_string())
    out['text_to_image'] = dict(queries=len(own), chance_r10=10 / len(crops), table=t.reset_index().to_dict('records'))
    return out


ATTACKS = ('crop', 'rotate', 'jpeg', 'rescreen', 'overlay text', 'flip', 'scale')

def attack(img, kind, rng):
    from PIL import Image, ImageDraw, ImageFilter
    import io
    w, h = img.size
    if kind == 'crop':
        d = max(1, int(.08 * min(w, h))); return img.crop((d, d, w - d, h - d))
    if kind == 'rotate': return img.rotate(float(rng.uniform(-4, 4)), expand=True, fillcolor=255 if img.mode == 'L' else (255,) * 3)
    if kind == 'jpeg':
        b = io.BytesIO(); img.convert('RGB').save(b, 'JPEG', quality=35); return Image.open(io.BytesIO(b.getvalue())).convert(img.mode)
    if kind == 'rescreen':  # halftone-like: blur, a dot screen, threshold
        g = np.asarray(img.convert('L').filter(ImageFilter.GaussianBlur(1)), float)
        yy, xx = np.mgrid[:g.shape[0], :g.shape[1]]
        screen = 40 * np.sin(xx * 1.3) * np.sin(yy * 1.3)
        return Image.fromarray(np.clip(g + screen, 0, 255).astype(np.uint8)).convert(img.mode)
    if kind == 'overlay text':
        im = img.convert('RGB'); ImageDraw.Draw(im).text((2, h - 12), 'No. 1954', fill=(90, 90, 90)); return im
    if kind == 'flip': return img.transpose(Image.FLIP_LEFT_RIGHT)
    if kind == 'scale': return img.resize((max(8, w // 2), max(8, h // 2))).resize((w, h))
    raise ValueError(kind)


def near_duplicates(tmp):
    import imagehash
    from PIL import Image
    from clippings.api import load_model
    from clippings.records import read_records
    model, rng = load_model('clippings-ja-small'), np.random.default_rng(0)
    recs = read_records(SAMPLE / 'records.parquet')
    gallery = recs.sort_values('record_id')
    files = [str(SAMPLE / p) for p in gallery['image_path']]
    q_pos = rng.choice(len(files), 300, replace=False)
    thumb = lambda im: (lambda a: (a - a.mean()) / (a.std() + 1e-6))(np.asarray(im.convert('L').resize((16, 16)), np.float32).ravel())
    imgs = [Image.open(f) for f in files]
    g_thumb = np.stack([thumb(i) for i in imgs]); g_thumb /= np.linalg.norm(g_thumb, axis=1, keepdims=True)
    g_hash = np.stack([imagehash.phash(i).hash.ravel() for i in imgs])
    g_vec = model.embed_images(files, progress=False, allow_outside_root=True)
    res = {}
    for kind in ATTACKS:
        att = [attack(imgs[p], kind, rng) for p in q_pos]
        q_thumb = np.stack([thumb(a) for a in att]); q_thumb /= np.linalg.norm(q_thumb, axis=1, keepdims=True)
        q_hash = np.stack([imagehash.phash(a).hash.ravel() for a in att])
        q_vec = model.embed_images(att, progress=False, allow_outside_root=True)
        scores = {'pixel thumbnail': q_thumb @ g_thumb.T, 'pHash': -(q_hash[:, None, :] != g_hash[None]).sum(-1).astype(float),
                  'model image tower': q_vec @ g_vec.T}
        res[kind] = {}
        for name, s in scores.items():
            own = s[np.arange(len(q_pos)), q_pos]
            r = (s > own[:, None]).sum(1) + 1 + 0.5 * ((s == own[:, None]).sum(1) - 1)  # ties: half counted ahead
            res[kind][name] = dict(r1=float((r <= 1).mean()), r10=float((r <= 10).mean()))
        print(kind, {n: v['r1'] for n, v in res[kind].items()})
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = list(res[ATTACKS[0]])
    for j, n in enumerate(names):
        ax.bar(np.arange(len(ATTACKS)) + (j - 1) * .27, [res[a][n]['r1'] for a in ATTACKS], .27, label=n)
    ax.set_xticks(np.arange(len(ATTACKS)), ATTACKS); ax.set_ylabel('R@1'); ax.set_ylim(0, 1.05); ax.legend(fontsize=8)
    ax.set_title(f'Attacked crop finds its original among {len(files):,} crops (300 queries)', fontsize=9)
    fig.tight_layout(); fig.savefig(RESULTS / 'search_attacks.png', dpi=110)
    return dict(gallery=len(files), queries=len(q_pos), r_at=res,
                tower_at_or_above_phash=sum(res[a]['model image tower']['r1'] >= res[a]['pHash']['r1'] for a in ATTACKS))


def vectors(n, d, rng, basis):
    "Unit vectors of intrinsic dimension 32 in d dimensions, plus isotropic noise (embeddings are low-rank, not clustered balls)"
    x = rng.normal(size=(n, basis.shape[0])).astype(np.float32) @ basis + .1 * rng.normal(size=(n, d)).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def scale(sizes, tmp):
    import faiss, resource
    from clippings.search import HNSW, Flat, Analyzer, LexicalIndex, Linear
    d, rng = 128, np.random.default_rng(0)
    centres = (rng.normal(size=(32, d)) / np.sqrt(32)).astype(np.float32)  # the basis of `vectors`
    out = {}
    for n in sizes:
        x, q = vectors(n, d, rng, centres), vectors(200, d, rng, centres)
        rec = {}
        t = time.perf_counter(); flat = Flat().build(x); rec['flat_build_s'] = round(time.perf_counter() - t, 2)
        def run(index, nq=200):
            t = time.perf_counter(); ids = [index.search(q[i:i + 1], 10)[1][0] for i in range(nq)]
            lat = (time.perf_counter() - t) / nq
            return np.array(ids), lat
        exact, lat = run(flat); rec['flat'] = dict(qps=round(1 / lat, 1), ms=round(lat * 1e3, 3), recall10=1.0)
        rec['flat_bytes'] = int(x.nbytes)
        recall = lambda got: float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, got)]))
        nlist = int(4 * np.sqrt(n))
        t = time.perf_counter()
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(x[rng.choice(n, min(n, 64 * nlist), replace=False)]); ivf.add(x)
        rec['ivf'] = dict(nlist=nlist, build_s=round(time.perf_counter() - t, 2), sweep=[])
        for nprobe in (1, 4, 8, 16, 32, 64):
            ivf.nprobe = nprobe; got, lat = run(ivf)
            rec['ivf']['sweep'].append(dict(nprobe=nprobe, recall10=recall(got), qps=round(1 / lat, 1), ms=round(lat * 1e3, 3)))
        t = time.perf_counter(); hnsw = HNSW().build(x); rec['hnsw'] = dict(m=32, ef_construction=80, build_s=round(time.perf_counter() - t, 2), sweep=[])
        for ef in (16, 32, 64, 128, 256):
            hnsw.hnsw.efSearch = ef; got, lat = run(hnsw)
            rec['hnsw']['sweep'].append(dict(ef_search=ef, recall10=recall(got), qps=round(1 / lat, 1), ms=round(lat * 1e3, 3)))
        print(n, json.dumps(rec)[:400])
        out[str(n)] = rec
        del flat, ivf
    # BM25 at the largest size: synthetic firm names from the lexicon's characters
    n = max(sizes)
    names = firm_names(n, rng)
    an = Analyzer()
    t = time.perf_counter(); terms = [an(s) for s in names]; analyze_s = time.perf_counter() - t
    t = time.perf_counter(); li = LexicalIndex(tmp / 'bm25', ['name']); li.add(np.arange(n), {'name': terms})
    build_s = time.perf_counter() - t
    size = sum(f.stat().st_size for f in (tmp / 'bm25').rglob('*') if f.is_file())
    qs = [names[i][:-2] for i in rng.choice(n, 200, replace=False)]
    lat = []
    for s in qs:
        t = time.perf_counter(); li.search(an(s), 100); lat.append(time.perf_counter() - t)
    out['bm25'] = dict(docs=n, analyze_s=round(analyze_s, 1), build_s=round(build_s, 1), bytes=size,
                       p50_ms=round(1e3 * np.percentile(lat, 50), 2), p95_ms=round(1e3 * np.percentile(lat, 95), 2))
    try:
        import bm25s
        t = time.perf_counter(); r = bm25s.BM25(); r.index([tt for tt in terms]); b_build = time.perf_counter() - t
        blat = []
        for s in qs[:100]:
            t = time.perf_counter(); r.retrieve([an(s)], k=100); blat.append(time.perf_counter() - t)
        out['bm25s'] = dict(docs=n, build_s=round(b_build, 1), p50_ms=round(1e3 * np.percentile(blat, 50), 2),
                            p95_ms=round(1e3 * np.percentile(blat, 95), 2), note='in memory; adding a document rebuilds')
    except Exception as e: out['bm25s'] = dict(error=f'{type(e).__name__}: {e}')
    print(out['bm25'], out.get('bm25s'))
    # hybrid at n: BM25 candidates + HNSW candidates, scored and fused (vectors of the same n records)
    x = vectors(n, d, rng, centres)
    hnsw = HNSW(ef_search=64).build(x)
    ef = next((s['ef_search'] for s in out[str(n)]['hnsw']['sweep'] if s['recall10'] >= .95), 256); hnsw.hnsw.efSearch = ef
    lat = []
    for i, s in enumerate(qs):
        qv = x[i]
        t = time.perf_counter()
        rows, bm = li.search(an(s), 100)
        _, vrows = hnsw.search(qv[None], 100)
        cand = np.unique(np.concatenate([rows, vrows[0]]))
        vec = x[cand] @ qv
        lexs = np.full(len(cand), np.nan); lexs[np.searchsorted(cand, rows)] = bm
        Linear(.5).fuse(lexs, vec)
        lat.append(time.perf_counter() - t)
    out['hybrid'] = dict(docs=n, ef_search=ef, p50_ms=round(1e3 * np.percentile(lat, 50), 2), p95_ms=round(1e3 * np.percentile(lat, 95), 2))
    out['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(out['hybrid'])
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(sizes), figsize=(5 * len(sizes), 3.4), squeeze=False)
    for ax, n in zip(axes[0], sizes):
        r = out[str(n)]
        for kind, key in (('ivf', 'nprobe'), ('hnsw', 'ef_search')):
            s = r[kind]['sweep']; ax.plot([p['recall10'] for p in s], [p['qps'] for p in s], 'o-', label=kind.upper())
            for p in s: ax.annotate(str(p[key]), (p['recall10'], p['qps']), fontsize=7)
        ax.axhline(r['flat']['qps'], color='k', ls='--', label='flat (exact)')
        ax.set_yscale('log'); ax.set_xlabel('recall@10 vs exact'); ax.set_ylabel('queries / s'); ax.set_title(f'{n:,} vectors, d={d}')
        ax.legend(fontsize=8)
    fig.tight_layout(); fig.savefig(RESULTS / 'search_scale.png', dpi=110)
    return out


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='100000,1000000'); ap.add_argument('--skip', default='')
    a = ap.parse_args()
    skip = set(a.skip.split(','))
    tmp = Path(tempfile.mkdtemp())
    RESULTS.mkdir(exist_ok=True)
    res = dict(config=dict(sizes=a.sizes, skip=sorted(skip - {''}), threads=os.environ.get('OMP_NUM_THREADS')))
    try:
        if 'a' not in skip: res['retrieval'] = retrieval(tmp)
        if 'b' not in skip: res['near_duplicates'] = near_duplicates(tmp)
        if 'c' not in skip: res['scale'] = scale([int(s) for s in a.sizes.split(',')], tmp)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    prev = RESULTS / 'search.json'  # a run of some sections keeps the others' figures from the last run
    if skip - {''} and prev.exists():
        old = json.loads(prev.read_text())
        res = {**{k: v for k, v in old.items() if k not in ('machine', 'config')}, **res,
               'config': {**old.get('config', {}), 'last_run': res['config']}}
    report('search', res)
