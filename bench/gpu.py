"""The GPU path on one accelerator: embedding throughput, exact single linkage and top-k linking at 1,000,000 records.

1. Embedding (issue target: >= 10,000 images/s). A ViT-B/16-sized image tower (timm `vit_base_patch16_224`, random
   init, a 512-d head, 224 px) in bf16: images/s from tensors already on the GPU (bf16 autocast over fp32 weights, bf16
   weights, channels_last; batch 512 and 1024), and end to end from synthetic JPEG files (~224 px, written to a temp
   folder first) decoded, padded square and resized in DataLoader workers (PIL, batch-level items, pin_memory,
   non_blocking uint8 copies, normalisation on the GPU), at several worker counts. Where the time goes: decode-only
   rate (workers, and one core with PIL and with torchvision.io), host-to-device copy rate, GPU normalisation rate,
   model-only rate. Variant: JPEG decoding on the GPU (torchvision.io.decode_jpeg(device='cuda'); workers only read the
   bytes). torch.compile (mode 'default', then 'max-autotune-no-cudagraphs') runs in a child process with a timeout,
   so a slow or failing compile is reported, never waited on past the budget. Then a CLIPTextModel-sized text tower
   (12 layers, width 512, sequence 32, random init from a config): texts/s, and records/s of image + text together.
2. Exact single linkage (issue target: 1,000,000 x 256 within 30 s, the partition identical to the CPU path) and
   top-k linking. Data: unit float32 vectors, 200,000 random centres with about 5 noisy members each, each cluster's
   spread drawn so that its within-cluster distances straddle the threshold 0.06 (chaining near the threshold).
   GPU SLINK: blocked matmuls over the upper triangle (fp32, TF32, fp16 or bf16), every pair with similarity at least
   1 - threshold - margin collected (the margin bounds that precision's rounding of a unit-vector dot product), then
   the exact float64 recheck of `clippings.clustering._exact_recheck` (distance = 1 - clip(cos), kept if <= threshold),
   then connected components on the GPU (hook-and-compress in torch), timed apart; also scipy (CPU) and cupy (if its
   csgraph works there) on the same edges. Identity with the CPU path: on a 100,000-record subset, every GPU mode
   against a float64 brute-force reference (all pairs in float64 on the CPU + scipy components) and against
   `clippings.clustering.slink` when it can be imported there (given the raw rows; the GPU path gets them made unit
   vectors by the library's `as_unit_vectors`, so both see the same float32 rows); the full 1M partitions of all modes
   against each other. The goal time is the fastest mode's total (copy in, pairs, recheck, components, labels back)
   plus the CPU `as_unit_vectors` of the 1M rows.
   `partition_identical` is true only if every one of these comparisons is (labels compared after relabelling by first
   occurrence). Top-k: for each of the 1M vectors its k=10 nearest among all 1M (itself included), torch.topk over
   blocked similarities (fp32, TF32, and bf16 with a float64 rerank of the top 10+22), recall against float64 on sampled
   queries; faiss GpuIndexFlatIP too if faiss with GPUs can be imported there.
   Backend: torch (+ cupy when usable). faiss-gpu / cuVS wheels do not fit the 64 MiB a device tree may carry
   (pip download on the dev machine, cp312 manylinux x86_64): cuvs-cu13 26.10.0 1.6 MB but needs libcuvs-cu13 26.10.0
   241.2 MB (+ pylibraft-cu13 1.0 MB, libraft, librmm, CUDA toolkit wheels); faiss-gpu-cu12 1.14.1.post1 48.4 MB, but
   built for CUDA 12: needs nvidia-cublas-cu12 581.2 MB + nvidia-cuda-runtime-cu12 3.5 MB (torch cu130 ships cuBLAS 13);
   faiss-gpu 1.15.1 135.3 MB (CUDA 12 as well); no faiss-gpu-cu13 wheel found.

Every figure is printed as it is measured; the JSON (machine facts, every config, notes, goals met) is rewritten after
each part, so a run cut short still leaves what it measured. The whole run keeps to --budget seconds (default 380:
under 7 minutes with start-up) by deadlines per part; a variant that would pass its part's deadline is skipped with a
note. Does not import `clippings` at top level (it is used, optionally, for the CPU comparison and unit vectors).

    PYTHONUNBUFFERED=1 python3 bench/gpu.py --out $OUT/gpu_path_gpu.json     # on the GPU machine, from the repo root
    .venv/bin/python bench/gpu.py --dry-run --out /tmp/gpu_dry.json           # every code path at tiny sizes, CPU ok
    python3 bench/gpu.py --only slink    # or --only embed: one part alone
"""
import argparse, json, os, platform, signal, sys, tempfile, time, traceback
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from _util import rate  # noqa: E402 (stdlib only: runs on the device too)
THRESHOLD = .06
# the rounding a unit-vector dot product (d = 256) can suffer in each precision, with room to spare:
# |err| <= 2u·sum|x_i y_i| <= 2u for inputs rounded to unit roundoff u, plus the output's and the radius' rounding
# for 16-bit outputs (fp32: d·u ~ 1.5e-5; TF32, fp16: u = 2^-11; bf16: u = 2^-8, error bound ~1.5e-2)
MARGINS = {'fp32': 1e-4, 'tf32': 2e-3, 'fp16': 3e-3, 'bf16': 2e-2}
WHEELS = {  # measured on the dev machine with pip download --no-deps --only-binary=:all: --python-version 3.12
    'limit_bytes': 64 * 2**20,
    'cuvs-cu13 26.10.0': 1_577_256, 'libcuvs-cu13 26.10.0 (required by cuvs-cu13)': 241_217_747,
    'pylibraft-cu13 26.10.0 (required by cuvs-cu13)': 979_994,
    'faiss-gpu-cu12 1.14.1.post1 cp312': 48_391_873, 'faiss-gpu 1.15.1 abi3 (CUDA 12 build)': 135_286_937,
    'nvidia-cublas-cu12 12.9.3.13 (required by faiss-gpu-cu12)': 581_217_458,
    'nvidia-cuda-runtime-cu12 12.9.79 (required by faiss-gpu-cu12)': 3_493_179,
    'verdict': 'over the limit: cuVS needs libcuvs (241 MB) and more; faiss-gpu-cu12 (48 MB) needs the CUDA 12 cuBLAS '
               '(581 MB), which torch cu130 does not ship; faiss-gpu 1.15.1 is 135 MB and CUDA 12 too. pip found no '
               'faiss-gpu-cu13 nor faiss-gpu-cu13-cuvs wheel for cp312 manylinux x86_64. Backend: torch.'}


class OutOfTime(Exception): pass


def log(*a): print(*a, flush=True)


def elapsed(): return time.perf_counter() - T0


class Run:
    "The results, written to `out` after each part, and the deadline of the part being run"
    def __init__(self, out, budget, scale=1.):
        self.out, self.budget, self.res, self.deadline = Path(out), budget, {}, T0 + budget
        self.scale = scale  # of the seconds `need` asks for: the dry run's work is smaller

    def put(self, section, key, value):
        self.res.setdefault(section, {})[key] = value
        log(f'{section}.{key}: {value}')
        return value

    def note(self, section, msg):
        self.res.setdefault(section, {}).setdefault('notes', []).append(msg)
        log(f'{section} NOTE: {msg}')

    def left(self): return self.deadline - time.perf_counter()

    def need(self, seconds, what):
        "Raise OutOfTime if fewer than `seconds` (scaled) remain before the part's deadline"
        seconds *= self.scale
        if self.left() < seconds:
            raise OutOfTime(f'{what}: skipped by the time guard ({self.left():.0f} s left, needs ~{seconds:.0f} s)')

    def part(self, seconds):
        "Start a part that may take `seconds`, within the whole budget"
        self.deadline = min(time.perf_counter() + seconds, T0 + self.budget)

    def write(self):
        self.res['wall_s'] = round(elapsed(), 1)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(self.res, indent=1, default=str))


def guarded(run, section, what, fn, *args, **kwargs):
    "fn(*args) or None; an OutOfTime or an error becomes a note"
    try: return fn(*args, **kwargs)
    except OutOfTime as e: run.note(section, str(e))
    except Exception as e:
        run.note(section, f'{what} failed: {type(e).__name__}: {str(e)[:400]}')
        traceback.print_exc()
    return None


# ---------------------------------------------------------------------------------------------------------- machine
def machine_facts():
    import numpy, torch
    shm = shm_free()
    f = {'cpus': os.cpu_count(), 'cpus_usable': len(os.sched_getaffinity(0)), 'platform': platform.platform(),
         'python': platform.python_version(),
         'dev_shm_free_gib': None if shm is None else round(shm / 2**30, 1),
         'torch': torch.__version__, 'torch_cuda': torch.version.cuda, 'numpy': numpy.__version__,
         'cuda_available': torch.cuda.is_available()}
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        f |= {'gpu': torch.cuda.get_device_name(), 'gpu_memory_gib': round(p.total_memory / 2**30, 1),
              'gpu_capability': f'{p.major}.{p.minor}', 'gpu_sms': p.multi_processor_count,
              'cudnn': torch.backends.cudnn.version()}
    for mod in ('timm', 'transformers', 'torchvision', 'scipy', 'PIL', 'cupy', 'faiss', 'cuvs', 'pylibcugraph',
                'sklearn'):
        try:
            m = __import__(mod)
            f[mod] = getattr(m, '__version__', 'importable')
        except Exception as e: f[mod] = f'not importable ({type(e).__name__})'
    try:
        import faiss
        f['faiss_gpus'] = faiss.get_num_gpus() if hasattr(faiss, 'get_num_gpus') else 0
    except Exception: pass
    return f


def sync_fn(dev):
    import torch
    return torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)


# ------------------------------------------------------------------------------------------------- vectors, labels
def make_vectors(n, d, seed, dev, cluster_size=5, spread=(.15, .32)):
    ("(n, d) float32 vectors near n // cluster_size random unit centres (each cluster's noise spread drawn from "
     "`spread`: at ~0.25 within-cluster distances straddle 0.06), and their true labels; "
     "made on `dev`, returned on CPU")
    import torch
    g = torch.Generator(device=dev).manual_seed(seed)
    k = max(1, n // cluster_size)
    centres = torch.nn.functional.normalize(torch.randn(k, d, generator=g, device=dev), dim=1)
    labels = torch.randint(0, k, (n,), generator=g, device=dev)
    s = spread[0] + (spread[1] - spread[0]) * torch.rand(k, generator=g, device=dev)
    x = torch.empty(n, d, device=dev)
    for a in range(0, n, 262144):
        lab = labels[a:a + 262144]
        x[a:a + 262144] = centres[lab] + (s[lab] / d ** .5)[:, None] * torch.randn(len(lab), d, generator=g, device=dev)
    return x.cpu().numpy(), labels.cpu().numpy()


def unit_vectors(x):
    "The library's unit vectors (`clippings.vectors.as_unit_vectors`, or the same numpy operations): bit-identical rows"
    import numpy as np
    try:
        sys.path.insert(0, str(ROOT))
        from clippings.vectors import as_unit_vectors
        return as_unit_vectors(x), 'clippings.vectors.as_unit_vectors'
    except Exception:
        x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
        return np.ascontiguousarray(x / np.linalg.norm(x, axis=1)[:, None]), 'numpy (as_unit_vectors replicated)'


def canonical(labels):
    "Labels renumbered 0, 1, ... by first occurrence: two partitions are identical iff their canonical labels are equal"
    import numpy as np
    _, first, inv = np.unique(np.asarray(labels), return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inv.ravel()]


def same_partition(a, b): return bool(len(a) == len(b) and (canonical(a) == canonical(b)).all())


# ------------------------------------------------------------------------------------------------------ GPU SLINK
def set_precision(mode):
    import torch
    torch.set_float32_matmul_precision('high' if mode == 'tf32' else 'highest')  # TF32 or true fp32 for float32
    torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False


def cast(xg, mode):
    import torch
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(mode)
    return xg if dtype is None else xg.to(dtype)


def gpu_candidate_pairs(xg, mode, threshold, block, run=None):
    "(rows, cols) with rows < cols of every pair whose similarity in `mode` is >= 1 - threshold - margin"
    import torch
    set_precision(mode)
    xm, radius, n = cast(xg, mode), 1 - threshold - MARGINS[mode], len(xg)
    rows, cols = [], []
    for a in range(0, n, block):
        if run is not None and run.left() < 0: raise OutOfTime(f'pairs {mode}: time guard tripped at row {a}')
        q = xm[a:a + block]
        for b in range(a, n, block):  # tiles on and right of the diagonal: each pair once
            ij = ((q @ xm[b:b + block].T) >= radius).nonzero()
            if b == a: ij = ij[ij[:, 0] < ij[:, 1]]  # the diagonal tile: i < j only
            rows.append(ij[:, 0] + a); cols.append(ij[:, 1] + b)
    return torch.cat(rows), torch.cat(cols)


def gpu_recheck(xg, rows, cols, threshold, chunk=1 << 20):
    "The pairs whose float64 distance 1 - clip(cos) is <= threshold (as `clippings.clustering._exact_recheck`)"
    import torch
    keep = []
    for a in range(0, len(rows), chunk):
        r, c = rows[a:a + chunk], cols[a:a + chunk]
        s = (xg[r].double() * xg[c].double()).sum(1).clamp_(-1, 1)
        keep.append((1 - s) <= threshold)
    k = torch.cat(keep) if keep else torch.zeros(0, dtype=torch.bool, device=xg.device)
    return rows[k], cols[k]


def gpu_components(rows, cols, n):
    ("Connected components by hooking roots to the smaller root and pointer jumping, all in torch: each record's label "
     "is the smallest index of its component (so labels ranked by value number components as scipy does)")
    import torch
    parent = torch.arange(n, device=rows.device)
    rounds = 0
    while len(rows):
        pu, pv = parent[rows], parent[cols]
        if torch.equal(pu, pv): break
        parent.scatter_reduce_(0, torch.maximum(pu, pv), torch.minimum(pu, pv), 'amin')
        while True:
            pp = parent[parent]
            if torch.equal(pp, parent): break
            parent = pp
        rounds += 1
    return parent, rounds


def gpu_slink(x, threshold, mode, block, dev, run=None, detail=None):
    "Labels (numpy) of exact SLINK of unit float32 `x` (numpy) on `dev`; `detail` gets each step's seconds"
    import torch
    sync, t, d = sync_fn(dev), time.perf_counter(), {}
    def lap(name):
        nonlocal t
        sync(); now = time.perf_counter(); d[name] = round(now - t, 3); t = now
    xg = torch.from_numpy(x).to(dev); lap('h2d_s')
    rows, cols = gpu_candidate_pairs(xg, mode, threshold, block, run); lap('pairs_s')
    d['candidates'] = len(rows)
    rows, cols = gpu_recheck(xg, rows, cols, threshold); lap('recheck_float64_s')
    d['edges'] = len(rows)
    root, d['cc_rounds'] = gpu_components(rows, cols, len(x)); lap('components_gpu_s')
    labels = torch.unique(root, return_inverse=True)[1].cpu().numpy(); lap('labels_d2h_s')
    d['total_s'] = round(sum(v for k, v in d.items() if k.endswith('_s')), 3)
    d['clusters'] = int(labels.max()) + 1
    if detail is not None: detail.update(d); detail['_edges'] = (rows, cols)
    return labels


def scipy_components(rows, cols, n):
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    g = sparse.coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def cupy_components(rows, cols, n):
    import cupy
    import cupyx.scipy.sparse as cs
    from cupyx.scipy.sparse.csgraph import connected_components
    r, c = cupy.asarray(rows), cupy.asarray(cols)
    g = cs.coo_matrix((cupy.ones(len(r), cupy.float32), (r, c)), shape=(n, n)).tocsr()
    lab = connected_components(g, directed=False)[1]
    cupy.cuda.Device().synchronize()
    return cupy.asnumpy(lab)


def float64_reference(x, threshold, block=2048):
    "SLINK labels from every pair's distance in float64 on the CPU (brute force over the upper triangle) + scipy"
    import numpy as np
    x64, rows, cols = x.astype(np.float64), [], []
    buf = np.empty(min(block, len(x)) * len(x))  # one buffer for every block's similarities: no page faults per block
    for a in range(0, len(x), block):
        q = x64[a:a + block]
        s = np.matmul(q, x64[a:].T, out=buf[:len(q) * (len(x) - a)].reshape(len(q), len(x) - a))
        r, c = np.nonzero(s >= 1 - threshold - 1e-9)  # then the exact test on these few
        keep = (c > r) & (1 - np.clip(s[r, c], -1, 1) <= threshold)
        rows.append(r[keep] + a); cols.append(c[keep] + a)
    return scipy_components(np.concatenate(rows), np.concatenate(cols), len(x))


def slink_part(run, dev, n, sub, block, qblock, n_ref_queries, k=10):
    import torch
    S = 'slink'
    run.put(S, 'config', dict(n=n, d=256, threshold=THRESHOLD, cluster_size=5, spread=(.15, .32), block=block,
                              margins=MARGINS, subset=sub, topk_k=k, topk_query_block=qblock, device=str(dev)))
    raw, truth = make_vectors(n, 256, 0, dev)
    t = time.perf_counter(); x, how = unit_vectors(raw)
    raw_sub = raw[:sub].copy(); del raw  # the library gets the raw rows: it makes them unit vectors itself, as x was
    unit_s = round(time.perf_counter() - t, 2)
    run.put(S, 'unit_vectors', f'{how} ({unit_s} s, CPU; in the goal time, not in the per-mode totals)')
    gpu_slink(x[:min(n, 4 * block)], THRESHOLD, 'tf32', block, dev)  # warm-up: cuBLAS and kernels loaded
    res, labels1m = {}, {}
    for mode in ('tf32', 'bf16', 'fp16', 'fp32'):
        if mode != 'tf32' and run.left() < (20 if mode == 'fp32' else 8) * n / 1e6:
            run.note(S, f'SLINK {n} {mode}: skipped by the time guard ({run.left():.0f} s left)'); continue
        det = {}
        lab = guarded(run, S, f'SLINK {mode}', gpu_slink, x, THRESHOLD, mode, block, dev, run, det)
        if lab is None: continue
        edges = det.pop('_edges'); labels1m[mode] = lab
        run.put(S, f'gpu_slink_{n}_{mode}', det)
        if mode == 'tf32':
            main_edges = edges
            run.put(S, f'ari_vs_generating_labels_{mode}', ari(truth, lab))
        if mode == 'tf32':  # the subset check right after the main mode: the goal depends on it
            guarded(run, S, 'subset check', subset_check, run, x[:sub], raw_sub, block, dev, res)
    modes = list(labels1m)
    if modes:
        agree = all(same_partition(labels1m[modes[0]], labels1m[m]) for m in modes[1:])
        run.put(S, f'full_{n}_modes_identical', {'modes': modes, 'identical': agree})
        res['full_modes_identical'] = agree
        best = min(modes, key=lambda m: run.res[S][f'gpu_slink_{n}_{m}']['total_s'])
        run.put(S, f'fastest_mode_{n}', {'mode': best, 'total_s': run.res[S][f'gpu_slink_{n}_{best}']['total_s']})
        res['best_s'] = round(run.res[S][f'gpu_slink_{n}_{best}']['total_s'] + unit_s, 3)
    if 'tf32' in labels1m:  # other components back ends on the same edges
        rows, cols = main_edges
        t = time.perf_counter(); r, c = rows.cpu().numpy(), cols.cpu().numpy(); d2h = time.perf_counter() - t
        t = time.perf_counter(); lab = scipy_components(r, c, n)
        run.put(S, 'components_scipy_cpu', {'d2h_s': round(d2h, 3), 'cc_s': round(time.perf_counter() - t, 3),
                                            'identical': same_partition(lab, labels1m['tf32'])})
        def cp():
            t = time.perf_counter(); lab = cupy_components(rows, cols, n)
            return {'cc_s': round(time.perf_counter() - t, 3), 'identical': same_partition(lab, labels1m['tf32'])}
        if dev.type == 'cuda': run.put(S, 'components_cupy', guarded(run, S, 'cupy components', cp))
        del main_edges, rows, cols
    if dev.type == 'cuda': torch.cuda.empty_cache()
    guarded(run, S, 'top-k', topk_part, run, x, dev, k, qblock, n_ref_queries)
    return res


def ari(a, b):
    try:
        from sklearn.metrics import adjusted_rand_score
        return round(float(adjusted_rand_score(a, b)), 6)
    except Exception: return 'sklearn not importable'


def subset_check(run, xs, raw, block, dev, res):
    ("Every GPU mode against the float64 reference and the library's slink on the first `len(xs)` records (`xs`: "
     "`raw` made unit vectors by `as_unit_vectors`, which slink applies to `raw` itself: the same float32 rows)")
    S, n = 'slink', len(xs)
    t = time.perf_counter(); ref = float64_reference(xs, THRESHOLD)
    run.put(S, f'subset_{n}_float64_reference_cpu_s', round(time.perf_counter() - t, 2))
    refs = {'float64_bruteforce_scipy': ref}
    try:
        sys.path.insert(0, str(ROOT))
        from clippings.clustering import slink
        run.need(30 * n / 1e5, 'library slink on the subset')
        t = time.perf_counter(); refs['clippings.clustering.slink'] = slink(raw, THRESHOLD, progress=False)
        run.put(S, f'subset_{n}_clippings_slink_cpu_s', round(time.perf_counter() - t, 2))
    except OutOfTime as e: run.note(S, str(e))
    except Exception as e: run.note(S, f'clippings.clustering.slink not importable here ({type(e).__name__}: {e})')
    ok = len(refs) == 1 or same_partition(*refs.values())
    cmp = {'references': list(refs), 'references_agree': ok, 'clusters': int(ref.max()) + 1}
    for mode in MARGINS:
        det = {}
        lab = gpu_slink(xs, THRESHOLD, mode, block, dev, None, det)
        det.pop('_edges')
        cmp[mode] = {'identical_to_' + k: same_partition(lab, v) for k, v in refs.items()} | {'s': det['total_s']}
    run.put(S, f'subset_{n}_partition_check', cmp)
    res['subset_identical'] = ok and all(v for m in MARGINS for k, v in cmp[m].items() if k.startswith('identical'))
    res['subset_references'] = list(refs)


# ----------------------------------------------------------------------------------------------------------- top-k
def gpu_topk(xg, k, mode, qblock, rerank=0, run=None):
    ("The ids of each row's k nearest rows by inner product (itself included); "
     "rerank > 0: the top k + rerank in `mode`, re-ordered in float64")
    import torch
    set_precision(mode)
    xm, n = cast(xg, mode), len(xg)
    out_i = torch.empty(n, k, dtype=torch.int64, device=xg.device)
    for a in range(0, n, qblock):
        if run is not None and run.left() < 0: raise OutOfTime(f'top-k {mode}: time guard tripped at row {a}')
        s = xm[a:a + qblock] @ xm.T
        ids = s.topk(k + rerank, dim=1).indices
        if rerank:
            exact = (xg[a:a + qblock, None, :].double() * xg[ids].double()).sum(-1)
            ids = ids.gather(1, exact.topk(k, dim=1).indices)
        out_i[a:a + qblock] = ids
    return out_i


def topk_part(run, x, dev, k, qblock, n_ref):
    import numpy as np, torch
    S, n = 'topk', len(x)
    sync = sync_fn(dev)
    xg = torch.from_numpy(x).to(dev)
    q = np.random.default_rng(0).choice(n, min(n, n_ref), replace=False)
    x64 = x.astype(np.float64)  # float64 reference for sampled queries
    ref = np.concatenate([np.argpartition(-(x64[q[a:a + 100]] @ x64.T), k, axis=1)[:, :k]
                          for a in range(0, len(q), 100)])
    del x64
    run.put(S, 'config', dict(n_queries=n, n_targets=n, k=k, query_block=qblock, ref_queries=len(q),
                              self_included=True))
    gpu_topk(xg[:min(n, 2 * qblock)], k, 'tf32', qblock)  # warm-up
    for mode, rr in (('bf16', 22), ('tf32', 0), ('fp32', 0)):
        name = f'{mode}' + (f'+float64_rerank_top{k + rr}' if rr else '')
        try:
            if mode != 'bf16': run.need(15, f'top-k {name}')
            sync(); t = time.perf_counter(); ids = gpu_topk(xg, k, mode, qblock, rr, run); sync()
            s = time.perf_counter() - t
            got = ids[torch.from_numpy(q).to(dev)].cpu().numpy()
            recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(got, ref)])
            run.put(S, f'gpu_topk_{name}', {'s': round(s, 2), 'queries_per_s': round(n / s),
                                            'recall_at_k_vs_float64': round(float(recall), 5)})
        except OutOfTime as e: run.note(S, str(e))
        except Exception as e: run.note(S, f'top-k {name} failed: {type(e).__name__}: {str(e)[:300]}')
    try:
        import faiss
        if not (hasattr(faiss, 'get_num_gpus') and faiss.get_num_gpus() > 0):
            run.note(S, 'faiss with GPUs not importable here: no faiss variant'); return
        run.need(30, 'faiss GpuIndexFlatIP')
        res = faiss.StandardGpuResources()
        t = time.perf_counter(); index = faiss.GpuIndexFlatIP(res, x.shape[1]); index.add(x)
        ids = np.concatenate([index.search(x[a:a + 65536], k)[1] for a in range(0, n, 65536)])
        s = time.perf_counter() - t
        recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(ids[q], ref)])
        run.put(S, 'faiss_gpu_flat_ip', {'s': round(s, 2), 'recall_at_k_vs_float64': round(float(recall), 5)})
    except OutOfTime as e: run.note(S, str(e))
    except Exception as e: run.note(S, f'faiss variant failed: {type(e).__name__}: {str(e)[:300]}')


# ------------------------------------------------------------------------------------------ search at 10M vectors
def search_part(run, dev, n, d, n_queries, qblock, dblock, k=10, n_ref=200):
    ("Exact (flat) vector search of a collection on the GPU: `n` unit vectors of the shipped model's width `d` held in "
     "fp16 (the 'build': drawn and normalised on the device a block at a time), `n_queries` queries a batch at a time, "
     "top-k by blocked fp16 matmuls merged across database blocks, re-ranked in float32; recall against float32")
    import torch
    S, sync = 'search_10m', sync_fn(dev)
    run.put(S, 'config', dict(n=n, d=d, n_queries=n_queries, query_block=qblock, db_block=dblock, k=k,
                              backend='torch fp16 blocked matmul + float32 rerank (faiss-gpu/cuVS not carriable)'))
    g = torch.Generator(device=dev).manual_seed(0)
    t = time.perf_counter()
    db = torch.empty(n, d, dtype=torch.float16, device=dev)
    for a in range(0, n, dblock):  # drawn on the device a block at a time, normalised, kept in fp16
        x = torch.randn(min(dblock, n - a), d, generator=g, device=dev)
        db[a:a + len(x)] = torch.nn.functional.normalize(x, dim=1).half()
    sync(); run.put(S, 'build_s', round(time.perf_counter() - t, 2))
    run.put(S, 'index_gib', round(db.numel() * 2 / 2**30, 2))
    # queries near database rows (a record searched by a noisy copy of itself), so the top-k is not a tie of noise
    rows = torch.randint(0, n, (n_queries,), generator=g, device=dev)
    noise = .05 * torch.randn(n_queries, d, generator=g, device=dev)
    q = torch.nn.functional.normalize(db[rows].float() + noise, dim=1)
    def search(qs):
        best_s, best_i = None, None
        qh = qs.half()
        for a in range(0, n, dblock):
            s = qh @ db[a:a + dblock].T
            v, i = s.topk(k + 22, dim=1)
            v, i = v.float(), i + a
            if best_s is None: best_s, best_i = v, i
            else:
                cat_s, cat_i = torch.cat([best_s, v], 1), torch.cat([best_i, i], 1)
                top = cat_s.topk(k + 22, dim=1).indices
                best_s, best_i = cat_s.gather(1, top), cat_i.gather(1, top)
        exact = (qs[:, None, :] * db[best_i].float()).sum(-1)  # rerank the candidates in float32
        return best_i.gather(1, exact.topk(k, dim=1).indices)
    search(q[:qblock]); sync()
    t, out = time.perf_counter(), []
    for a in range(0, n_queries, qblock):
        run.need(5, f'search block {a}')
        out.append(search(q[a:a + qblock]))
    sync(); s = time.perf_counter() - t
    ids = torch.cat(out)
    run.put(S, 'search_s', round(s, 2)); run.put(S, 'queries_per_s', round(n_queries / s, 1))
    run.put(S, 'ms_per_query_batch', round(1000 * s / max(1, n_queries // qblock), 1))
    # recall against float32 on sampled queries (all n rows, on the device in float32, one query at a time)
    pick = torch.arange(0, n_queries, max(1, n_queries // n_ref), device=dev)[:n_ref]
    hits = 0
    for j in pick.tolist():
        run.need(2, 'recall check')
        ref = torch.cat([(db[a:a + dblock].float() @ q[j]) for a in range(0, n, dblock)]).topk(k).indices
        hits += len(set(ref.tolist()) & set(ids[j].tolist()))
    run.put(S, 'recall_at_10_vs_float32', round(hits / (k * len(pick)), 4))
    run.put(S, 'self_found_first', round(float((ids[:, 0] == rows).float().mean()), 4))
    return run.res[S]


# ------------------------------------------------------------------------------------------------------ embedding
def _write_jpegs(args):
    import numpy as np
    from PIL import Image, ImageDraw
    folder, start, stop = args
    paths = []
    for i in range(start, stop):
        rng = np.random.default_rng(i)
        w, h = (int(v) for v in rng.integers(160, 300, 2))
        base = np.linspace(rng.integers(120, 255), rng.integers(120, 255), w, dtype=np.float32)
        arr = np.repeat(np.broadcast_to(base, (h, w))[..., None], 3, 2) + rng.normal(0, 12, (h, w, 3))
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(8, 30))):  # glyph-like strokes and boxes: a scan-like crop
            x0, y0 = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 8))
            x1, y1 = x0 + int(rng.integers(3, 40)), y0 + int(rng.integers(3, 40))
            draw.rectangle([x0, y0, x1, y1], outline=tuple(int(v) for v in rng.integers(0, 90, 3)), width=2)
        p = Path(folder) / f'{i:06d}.jpg'
        img.save(p, quality=90)
        paths.append(str(p))
    return paths


def write_jpegs(folder, n, procs):
    import multiprocessing as mp
    chunks = [(folder, a, min(n, a + 128)) for a in range(0, n, 128)]
    with mp.get_context('spawn').Pool(procs) as pool:
        return [p for part in pool.map(_write_jpegs, chunks) for p in part]


def load_padded(path, size):
    "The file decoded (PIL), padded to a square (black), resized to size x size: (size, size, 3) uint8"
    import numpy as np
    from PIL import Image
    with Image.open(path) as im:
        im = im.convert('RGB')
        w, h = im.size
        side = max(w, h)
        sq = Image.new('RGB', (side, side))
        sq.paste(im, ((side - w) // 2, (side - h) // 2))
        return np.array(sq.resize((size, size), Image.BILINEAR))  # a writable copy


class JpegBatches:
    "A map-style dataset whose items are whole batches: decoded (B, 3, S, S) uint8, or the files' bytes for GPU decode"
    def __init__(self, files, batch, n_batches, size, raw=False):
        self.files, self.batch, self.n, self.size, self.raw = files, batch, n_batches, size, raw

    def __len__(self): return self.n

    def __getitem__(self, i):
        import numpy as np, torch
        paths = [self.files[(i * self.batch + j) % len(self.files)] for j in range(self.batch)]
        if self.raw:
            data = [np.fromfile(p, np.uint8) for p in paths]
            return torch.from_numpy(np.concatenate(data)), torch.tensor([len(d) for d in data])
        out = torch.empty(self.batch, self.size, self.size, 3, dtype=torch.uint8)
        for j, p in enumerate(paths): out[j] = torch.from_numpy(load_padded(p, self.size))
        return out.permute(0, 3, 1, 2)  # channels-first view of channels-last memory: no copy


def shm_free():
    import shutil
    try: return shutil.disk_usage('/dev/shm').free
    except Exception: return None


def loader(files, batch, n_batches, size, workers, pin, raw=False):
    "Batches decoded in `workers` processes; 2 batches prefetched per worker, 1 if /dev/shm is short of room for 2"
    from torch.utils.data import DataLoader
    room = shm_free()
    prefetch = 1 if room is not None and room < 2 * 2 * workers * batch * 3 * size * size else 2
    return DataLoader(JpegBatches(files, batch, n_batches, size, raw), batch_size=None, shuffle=False,
                      num_workers=workers, pin_memory=pin, persistent_workers=workers > 0,
                      prefetch_factor=prefetch if workers else None)


def image_tower(dry):
    import timm
    if dry: return timm.create_model('vit_tiny_patch16_224', pretrained=False, num_classes=512, depth=1)
    return timm.create_model('vit_base_patch16_224', pretrained=False, num_classes=512)


class Prep:
    "uint8 (B, 3, S, S) on the device -> normalised float in the model's dtype (and memory format)"
    def __init__(self, dev, dtype, channels_last=False):
        import torch
        self.mean = torch.tensor([.5, .5, .5], device=dev).view(1, 3, 1, 1) * 255
        self.std = torch.tensor([.5, .5, .5], device=dev).view(1, 3, 1, 1) * 255
        self.dtype, self.cl = dtype, channels_last

    def __call__(self, u8):
        import torch
        x = ((u8.float() - self.mean) / self.std).to(self.dtype)
        return x.contiguous(memory_format=torch.channels_last) if self.cl else x.contiguous()


def build_variant(dev, dry, variant):
    "(callable model, Prep) for 'autocast' (fp32 weights, bf16 autocast), 'bf16' (bf16 weights), 'bf16+channels_last'"
    import contextlib, torch
    m = image_tower(dry).to(dev).eval()
    cl = 'channels_last' in variant
    if variant.startswith('bf16'): m = m.to(torch.bfloat16)
    if cl: m = m.to(memory_format=torch.channels_last)
    ac = (lambda: torch.autocast(dev.type, dtype=torch.bfloat16)) if variant == 'autocast' else contextlib.nullcontext
    def fn(x):
        with torch.inference_mode(), ac(): return m(x)
    return m, fn, Prep(dev, torch.float32 if variant == 'autocast' else torch.bfloat16, cl)


def e2e(dl, fn, prep, dev, sync, warm=2):
    "images/s from the loader through the model, after `warm` batches; and the seconds to the first batch"
    import torch
    t0 = time.perf_counter(); n = 0; t1 = first = None
    with torch.inference_mode():
        for i, xb in enumerate(dl):
            if first is None: first = time.perf_counter() - t0
            out = fn(prep(xb.to(dev, non_blocking=True)))
            if i == warm - 1: sync(); t1 = time.perf_counter()
            elif i >= warm: n += len(xb)
    sync()
    del out
    return round(n / (time.perf_counter() - t1), 1), round(first, 2)


def drain(dl):
    "images/s of the loader alone (decoding in its workers, batches left in pinned host memory)"
    t1, n = None, 0
    for i, xb in enumerate(dl):
        if i == 1: t1 = time.perf_counter()
        elif i > 1: n += len(xb)
    return round(n / (time.perf_counter() - t1), 1)


def gpu_decode_batch(buf, lengths, size, device='cuda'):
    "Files' bytes -> (B, 3, S, S) uint8 on the GPU: nvjpeg batched decode, pad square, resize (one image at a time)"
    import torch, torch.nn.functional as F
    from torchvision.io import decode_jpeg
    imgs = decode_jpeg(list(torch.split(buf, lengths.tolist())), device=device)
    out = torch.empty(len(imgs), 3, size, size, dtype=torch.uint8, device=device)
    for j, im in enumerate(imgs):
        h, w = im.shape[1:]
        side = max(h, w)
        sq = F.pad(im, ((side - w) // 2, side - w - (side - w) // 2, (side - h) // 2, side - h - (side - h) // 2))
        out[j] = F.interpolate(sq[None].float(), size=(size, size), mode='bilinear', align_corners=False)[0].round()
    return out


def embed_part(run, dev, dry, cfg, folder):
    import numpy as np, torch
    E, sync, cuda = 'embed', sync_fn(dev), dev.type == 'cuda'
    torch.backends.cudnn.benchmark = True
    torch.set_float32_matmul_precision('high')
    S, B = 224, cfg['batches']
    run.put(E, 'config', cfg | {'image_tower': 'vit_tiny_patch16_224 depth 1 (dry run)' if dry else
                                'timm vit_base_patch16_224, random init, num_classes=512', 'size': S})
    t = time.perf_counter(); files = write_jpegs(folder, cfg['files'], min(16, os.cpu_count()))
    kb = np.mean([os.path.getsize(f) for f in files]) / 1024
    run.put(E, 'jpeg_files', f'{len(files)} files, mean {kb:.1f} KiB, written in {time.perf_counter() - t:.1f} s')
    # one core: decode + pad + resize
    t = time.perf_counter(); [load_padded(f, S) for f in files[:cfg['single']]]
    run.put(E, 'decode_pil_pad_resize_one_core_per_s', round(cfg['single'] / (time.perf_counter() - t), 1))
    try:
        from torchvision.io import decode_jpeg, read_file
        data = [read_file(f) for f in files[:cfg['single']]]
        t = time.perf_counter(); [decode_jpeg(d) for d in data]
        run.put(E, 'decode_only_torchvision_one_core_per_s', round(len(data) / (time.perf_counter() - t), 1))
    except Exception as e: run.note(E, f'torchvision CPU decode failed: {type(e).__name__}: {e}')
    # host to device, GPU normalisation
    big, stages = max(B), {}
    u8 = torch.randint(0, 256, (big, 3, S, S), dtype=torch.uint8)
    if cuda:
        pinned = u8.pin_memory()
        for name, src in (('pinned', pinned), ('pageable', u8)):
            r = rate(lambda: src.to(dev, non_blocking=True), big, 5, 1, sync)
            run.put(E, f'h2d_uint8_{name}_images_per_s', {'images_per_s': r, 'GB_per_s': round(r * 3 * S * S / 1e9, 1)})
            if name == 'pinned': stages['h2d_copy_uint8_pinned'] = r
    ug = u8.to(dev)
    stages['normalise_on_device'] = run.put(E, 'gpu_normalise_images_per_s',
                                            rate(lambda: Prep(dev, torch.bfloat16)(ug), big, 5, 1, sync))
    # model only, from tensors on the device
    best = (0, None)
    for variant in ('autocast', 'bf16', 'bf16+channels_last'):
        try:
            run.need(5, f'model-only {variant}')
            m, fn, prep = build_variant(dev, dry, variant)
            for b in B:
                x = prep(ug[:b])
                r = run.put(E, f'model_only_images_per_s_{variant}_batch_{b}',
                        rate(lambda: fn(x), b, cfg['repeat'], 2, sync))
                if r > best[0]: best = (r, (variant, b))
            m = fn = x = None  # freed before the next variant is built
        except OutOfTime as e: run.note(E, str(e))
    run.put(E, 'model_only_best_eager', {'images_per_s': best[0], 'variant_batch': best[1]})
    if cuda: run.put(E, 'peak_gpu_memory_gib_model_only', round(torch.cuda.max_memory_allocated() / 2**30, 2))
    variant, b_best = best[1]
    stages['model_only'] = best[0]
    m, fn, prep = build_variant(dev, dry, variant)
    # end to end from files: decode in workers, pinned uint8, non_blocking copy, normalise + model on the GPU
    e2e_best = 0
    for workers, b in cfg['loaders']:
        try:
            run.need(10, f'end to end workers {workers} batch {b}')
            dl = loader(files, b, cfg['n_batches'] * max(B) // b, S, workers, cuda)
            dec = drain(dl)  # first pass: starts the workers, measures decoding alone
            r, first = e2e(dl, fn, prep, dev, sync)
            if r > e2e_best: e2e_best, stages['decode_in_workers (best end-to-end loader)'] = r, dec
            run.put(E, f'end_to_end_images_per_s_{variant}_workers_{workers}_batch_{b}',
                    {'images_per_s': r, 'decode_only_images_per_s': dec, 'first_batch_s (workers started)': first})
            del dl
        except OutOfTime as e: run.note(E, str(e))
        except Exception as e:
            run.note(E, f'end to end workers {workers} failed: {type(e).__name__}: {e}'); traceback.print_exc()
    # JPEG decode on the GPU (nvjpeg); workers only read the files. Without CUDA (dry run) the same code on the CPU
    where = 'gpu' if cuda else 'cpu_as_dry_run_stand_in'
    def gpu_dec():
        run.need(10, 'GPU decode')
        raw = JpegBatches(files, b_best, 1, S, raw=True)[0]
        dec = rate(lambda: gpu_decode_batch(*raw, S, dev.type), b_best, 3, 1, sync)
        run.put(E, f'{where}_decode_pad_resize_images_per_s_batch_{b_best}', dec)
        dl = loader(files, b_best, cfg['n_batches'] * max(B) // b_best, S, cfg['loaders'][0][0], False, raw=True)
        n, t1 = 0, None
        with torch.inference_mode():
            for i, (buf, lens) in enumerate(dl):
                out = fn(prep(gpu_decode_batch(buf, lens, S, dev.type)))
                if i == 1: sync(); t1 = time.perf_counter()
                elif i > 1: n += len(lens)
        sync()
        del dl, out
        r = round(n / (time.perf_counter() - t1), 1)
        run.put(E, f'end_to_end_{where}_decode_images_per_s_{variant}_batch_{b_best}', r)
        return dec, r
    got = guarded(run, E, 'GPU decode (torchvision.io.decode_jpeg device=cuda)', gpu_dec)
    if got and cuda:
        stages['decode_on_gpu_pad_resize'] = got[0]
        e2e_best = max(e2e_best, got[1])
    stages['end_to_end_best'] = e2e_best
    known = {k: v for k, v in stages.items() if k != 'end_to_end_best' and v}
    run.put(E, 'where_time_goes_images_per_s', stages | {'slowest_stage': min(known, key=known.get) if known else None})
    guarded(run, E, 'text tower', text_part, run, dev, dry, fn, prep, ug, b_best, cfg['repeat'])
    return e2e_best, best[0]


def text_tower(dev, dry):
    import torch
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection
    kw = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=2) if dry else \
        dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8)
    cfg = CLIPTextConfig(vocab_size=8000, max_position_embeddings=32, projection_dim=512, pad_token_id=0,
                         bos_token_id=1, eos_token_id=2, **kw)
    try: m = CLIPTextModelWithProjection._from_config(cfg, attn_implementation='sdpa')
    except Exception: m = CLIPTextModelWithProjection(cfg)
    return m.to(dev).to(torch.bfloat16).eval(), kw


def text_part(run, dev, dry, img_fn, prep, ug, b, repeat):
    import torch
    E, sync = 'embed', sync_fn(dev)
    run.need(10, 'text tower')
    m, kw = text_tower(dev, dry)
    ids = torch.randint(3, 8000, (b, 32), device=dev)
    mask = torch.ones_like(ids)
    def txt():
        with torch.inference_mode(): return m(input_ids=ids, attention_mask=mask).text_embeds
    x = prep(ug[:b])
    run.put(E, 'text_tower', f'CLIPTextModelWithProjection {kw}, seq 32, bf16 weights, random init')
    run.put(E, f'text_only_texts_per_s_batch_{b}', rate(txt, b, repeat, 2, sync))
    def both():
        img_fn(x); txt()
    run.put(E, f'image_and_text_records_per_s_batch_{b} (from device tensors)', rate(both, b, repeat, 2, sync))


# ------------------------------------------------------------------------------------------ torch.compile (child)
def compile_child(q, dev_type, dry, mode, batches, repeat, files, e2e_cfg):
    "In a fresh process (its own process group, so a timeout kills its compile workers too): compiled model figures"
    os.setpgrp()
    out = {}
    try:
        import torch
        dev = torch.device(dev_type)
        sync = sync_fn(dev)
        torch.backends.cudnn.benchmark = True
        m = image_tower(dry).to(dev).eval().to(torch.bfloat16)
        prep = Prep(dev, torch.bfloat16)
        cm = torch.compile(m, mode=mode, dynamic=False)
        def fn(x):
            with torch.inference_mode(): return cm(x)
        ug = torch.randint(0, 256, (max(batches), 3, 224, 224), dtype=torch.uint8, device=dev)
        for b in batches:
            x = prep(ug[:b])
            t = time.perf_counter(); fn(x); sync()
            out[f'compile_and_first_call_s_batch_{b}'] = round(time.perf_counter() - t, 1)
            out[f'model_only_images_per_s_batch_{b}'] = rate(lambda: fn(x), b, repeat, 2, sync)
            q.put(('partial', dict(out)))
        if files:
            workers, b, n_batches = e2e_cfg
            dl = loader(files, b, n_batches, 224, workers, dev.type == 'cuda')
            dec = drain(dl)
            r, first = e2e(dl, fn, prep, dev, sync)
            out[f'end_to_end_images_per_s_workers_{workers}_batch_{b}'] = r
            out['decode_only_images_per_s'] = dec
            del dl  # its persistent workers stopped before this process ends
        q.put(('done', out))
    except Exception as e:
        out['error'] = f'{type(e).__name__}: {str(e)[-600:]}'
        traceback.print_exc()
        q.put(('done', out))


def run_child(fn, args, timeout):
    "fn(queue, *args) in a spawned process; its last message, or the last partial one with a timeout note"
    import multiprocessing as mp, queue
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    p = ctx.Process(target=fn, args=(q, *args))
    p.start()
    end, last = time.perf_counter() + timeout, {}
    while True:
        try:
            kind, msg = q.get(timeout=max(.1, min(5, end - time.perf_counter())))
            last = msg
            if kind == 'done': break
        except queue.Empty:
            if not p.is_alive(): last = {**last, 'error': f'child died (exit code {p.exitcode})'}; break
        if time.perf_counter() > end:
            last = {**last, 'error': f'timed out after {timeout:.0f} s: killed'}
            break
    if p.is_alive():
        try: os.killpg(p.pid, signal.SIGKILL)
        except Exception: p.kill()
    p.join(10)
    q.close()
    return last


def compile_part(run, dev, dry, cfg, files):
    E = 'embed'
    best = (0, 0)
    for mode in ('default', 'max-autotune-no-cudagraphs'):
        left = run.left()
        if left < cfg['compile_min_s']:
            run.note(E, f'torch.compile {mode}: skipped by the time guard ({left:.0f} s left)'); continue
        t = time.perf_counter()
        out = run_child(compile_child, (dev.type, dry, mode, (max(cfg['batches']),), cfg['repeat'], files,
                                        (cfg['loaders'][0][0], max(cfg['batches']), cfg['n_batches'])), left - 5)
        out['wall_s'] = round(time.perf_counter() - t, 1)
        run.put(E, f'compiled_bf16_{mode}', out)
        best = (max([best[0]] + [v for k, v in out.items() if k.startswith('end_to_end')]),
                max([best[1]] + [v for k, v in out.items() if k.startswith('model_only')]))
        run.write()
    return best


# ------------------------------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT / 'bench/results/gpu_path_gpu.json'))
    ap.add_argument('--dry-run', action='store_true', help='tiny sizes: every code path in under a minute on a CPU')
    ap.add_argument('--budget', type=float, default=None, help='seconds for the whole run (default 380; dry run 55)')
    ap.add_argument('--only', choices=['embed', 'slink', 'search'], default=None)
    a = ap.parse_args()
    import torch
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    dry = a.dry_run
    run = Run(a.out, a.budget or (70 if dry else 420), .1 if dry else 1.)
    if not dry and dev.type != 'cuda':
        log('no CUDA device: the full run needs one (use --dry-run to test the code paths on a CPU)'); sys.exit(1)
    run.res['machine'] = machine_facts()
    for k, v in run.res['machine'].items(): log(f'machine.{k}: {v}')
    run.res |= {'dry_run': dry, 'budget_s': run.budget, 'threshold': THRESHOLD, 'wheels': WHEELS,
                'backend': 'torch (blocked matmul + float64 recheck + torch hook-and-compress components); '
                           'cupy components and faiss-gpu top-k as extra variants where importable'}
    run.write()
    if dry:
        slink_cfg = dict(n=8_000, sub=8_000, block=2048, qblock=2048, n_ref_queries=200)
        emb_cfg = dict(files=256, batches=(32, 64), repeat=2, n_batches=6, loaders=((2, 64),), single=64,
                       compile_min_s=8)
    else:
        slink_cfg = dict(n=1_000_000, sub=100_000, block=16384, qblock=4096, n_ref_queries=500)
        emb_cfg = dict(files=4096, batches=(512, 1024), repeat=8, n_batches=48,
                       loaders=((14, 1024), (8, 1024), (14, 512)), single=256, compile_min_s=45)
    goals = {}
    if a.only not in ('embed', 'search'):
        run.part(20 if dry else 150)
        try:
            res = slink_part(run, dev, **slink_cfg)
            goals |= {'slink_n': slink_cfg['n'], 'slink_1m_s (fastest mode + unit vectors)': res.get('best_s')}
            goals['slink_1m_within_30s'] = bool(res.get('best_s') is not None and res['best_s'] <= 30 and not dry)
            goals['partition_identical'] = bool(res.get('subset_identical') and res.get('full_modes_identical'))
            goals['partition_references'] = res.get('subset_references')
        except Exception as e:
            run.note('slink', f'failed: {type(e).__name__}: {e}'); traceback.print_exc()
        if dev.type == 'cuda': torch.cuda.empty_cache()
        run.res['goals'] = goals; run.write()
    if a.only in (None, 'search'):
        run.part(12 if dry else 60)
        cfg = dict(n=20_000, d=128, n_queries=512, qblock=256, dblock=8192) if dry else \
            dict(n=10_000_000, d=128, n_queries=16_384, qblock=4096, dblock=1_000_000)
        try: search_part(run, dev, **cfg)
        except OutOfTime as e: run.note('search_10m', str(e))
        except Exception as e: run.note('search_10m', f'failed: {type(e).__name__}: {e}'); traceback.print_exc()
        if dev.type == 'cuda': torch.cuda.empty_cache()
        run.write()
    if a.only not in ('slink', 'search'):
        with tempfile.TemporaryDirectory() as folder:
            run.part(25 if dry else 110)
            e2e_best = model_best = 0
            try: e2e_best, model_best = embed_part(run, dev, dry, emb_cfg, folder)
            except Exception as e: run.note('embed', f'failed: {type(e).__name__}: {e}'); traceback.print_exc()
            run.write()
            if dev.type == 'cuda': torch.cuda.empty_cache()
            run.part(run.budget)  # the rest of the budget
            files = sorted(str(p) for p in Path(folder).glob('*.jpg'))
            c_e2e, c_model = compile_part(run, dev, dry, emb_cfg, files) or (0, 0)
        goals |= {'embed_best_end_to_end_images_per_s': max(e2e_best, c_e2e),
                  'embed_best_model_only_images_per_s': max(model_best, c_model),
                  'embed_goal_10000_per_s_met': max(e2e_best, c_e2e) >= 10_000 and not dry,
                  'embed_goal_10000_per_s_met_from_device_tensors': max(model_best, c_model) >= 10_000 and not dry}
    run.res['goals'] = goals
    run.res |= {k: goals[k] for k in ('embed_goal_10000_per_s_met', 'slink_1m_within_30s', 'partition_identical')
                if k in goals}
    run.write()
    for k, v in goals.items(): log(f'goals.{k}: {v}')
    log(f'wrote {run.out} ({elapsed():.0f} s)')


if __name__ == '__main__':
    main()
