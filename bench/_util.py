"""Shared by the benchmark scripts: run a measured task in a fresh process and report its time and peak memory."""
import json, multiprocessing as mp, os, platform, queue, resource, time
from pathlib import Path

RESULTS = Path(__file__).parent / 'results'


def _child(fn, args, queue):
    out = fn(*args)
    queue.put((out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def isolated(fn, *args):
    "Run `fn(*args)` in a fresh process; return (its result, the peak RSS of that process in MiB, imports included)"
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(fn, args, q))
    p.start()
    while True:  # a child that dies (an exception, the OOM killer) must not leave the parent waiting forever
        try: out, rss = q.get(timeout=5); break
        except queue.Empty:
            if not p.is_alive(): raise RuntimeError(f'{fn.__name__}{args} died in its process (exit code {p.exitcode}); its traceback is above')
    p.join()
    return out, round(rss)


def rate(fn, n_items, repeat, warmup=1, sync=lambda: None):
    "items per second of fn() over `repeat` calls, after `warmup` calls (`sync`: wait for a device before timing)"
    for _ in range(warmup): fn()
    sync(); t = time.perf_counter()
    for _ in range(repeat): fn()
    sync()
    return round(n_items * repeat / (time.perf_counter() - t), 1)


def timed(fn, *args, **kwargs):
    "(result, seconds)"
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - t, 3)


def report(name, res):
    "Print the figures and write them to bench/results/<name>.json"
    res = {'machine': {'cpus': os.cpu_count(), 'platform': platform.platform()}, **res}
    for k, v in res.items(): print(f'{k}: {v}')
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f'{name}.json').write_text(json.dumps(res, indent=1))
    print(f'wrote {RESULTS / (name + ".json")}')


def firm_names(n, rng):
    "n synthetic firm names (two lexicon words and a trade), drawn from `rng`: the texts of the large-index benchmarks"
    import numpy as np
    from clippings.lexicon import load_lexicon
    lex = load_lexicon()
    words = np.array([w for part in ('surnames', 'places', 'words') for w in lex[part]])
    kinds = np.array(['工業', '商事', '製作所', '銀行', '電気', '産業', '化学', '運輸'])
    a, b, c = rng.integers(0, len(words), n), rng.integers(0, len(words), n), rng.integers(0, len(kinds), n)
    return [words[i] + words[j] + kinds[k] for i, j, k in zip(a, b, c)]
