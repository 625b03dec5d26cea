"""`clippings serve` under load: 50 concurrent clients sending hybrid queries to a 100k-record index.

The index holds 100,000 synthetic firm names (the lexicon's surnames, places and words + a trade, as in
`bench/search.py`) with their text vectors from the shipped model, searched by BM25 and HNSW (`--vectors`). The server
is `clippings serve` in a process of its own (one uvicorn worker, as a user runs it); the clients are asyncio tasks
with aiohttp in this process, each sending its share of the queries one after another. Every response must be a 200
with results: a failed, refused or timed-out request counts as dropped. Beside the server's figures, the same queries
through `SearchIndex.search` in this process, one at a time, measured in the same run: the server's overhead is the
ratio of the two.

    .venv/bin/python bench/serve.py [--records 100000] [--clients 50] [--queries 2000] [--vectors hnsw] [--repeats 3]

Writes bench/results/serve.json.
"""
import argparse, asyncio, json, os, signal, subprocess, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import firm_names, report

import numpy as np, pandas as pd

ROOT = Path(__file__).parent.parent


async def load(url, queries, clients, timeout=60):
    "Each of `clients` sends its share of the queries, one after another; latencies, errors and wall time"
    import aiohttp
    lat, errors = [], []
    conn = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(url, connector=conn, timeout=aiohttp.ClientTimeout(total=timeout)) as client:
        async def worker(part):
            for q in part:
                t = time.perf_counter()
                try:
                    async with client.get('/api/search', params={'q': q, 'mode': 'hybrid', 'k': '10'}) as r:
                        body = await r.json()
                        if r.status != 200 or not body.get('results'): errors.append(f'{r.status}: {str(body)[:200]}')
                except Exception as e: errors.append(f'{type(e).__name__}: {e}')
                lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        await asyncio.gather(*(worker(queries[i::clients]) for i in range(clients)))
        wall = time.perf_counter() - t
    return np.array(lat), errors, wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--records', type=int, default=100_000)
    ap.add_argument('--clients', type=int, default=50)
    ap.add_argument('--queries', type=int, default=2000)
    ap.add_argument('--vectors', default='hnsw', choices=['flat', 'hnsw'])
    ap.add_argument('--repeats', type=int, default=3, help='load runs against the same server (one draw is not a spread)')
    a = ap.parse_args(argv)
    from clippings.search import HNSW, Flat, index, open_index
    from clippings.serve import free_port
    rng = np.random.default_rng(0)
    tmp = Path(tempfile.mkdtemp())
    recs = pd.DataFrame({'record_id': [f'r{i:07d}' for i in range(a.records)], 'ocr': firm_names(a.records, rng)})
    t = time.perf_counter()
    index(recs, tmp / 'idx', text='ocr', image=None, vector_index=HNSW() if a.vectors == 'hnsw' else Flat(), progress=True)
    build_s = time.perf_counter() - t
    pick = rng.choice(a.records, a.queries, replace=False)
    queries = [recs.ocr.iat[i][:-1] for i in pick]  # a name with its last character lost, as typed in a hurry
    idx = open_index(tmp / 'idx')
    idx.search(queries[0], k=10)  # load the model
    inproc = []
    for q in queries[:300]:
        t = time.perf_counter(); idx.search(q, mode='hybrid', k=10); inproc.append(time.perf_counter() - t)
    inproc = np.array(inproc)
    port = free_port()
    exe = Path(sys.executable).with_name('clippings')
    server = subprocess.Popen([str(exe), 'serve', str(tmp / 'idx'), '--port', str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    url = f'http://127.0.0.1:{port}'
    import httpx
    for _ in range(600):
        try:
            if httpx.get(url + '/api/search', params={'q': queries[0]}, timeout=30).status_code == 200: break
        except httpx.HTTPError: time.sleep(.2)
    else: raise RuntimeError('the server did not answer: ' + server.stdout.read())
    asyncio.run(load(url, queries[:200], a.clients))  # warm-up, not counted
    ms = lambda x, p: round(1e3 * float(np.percentile(x, p)), 2)
    runs, errors = [], []
    for r in range(a.repeats):
        lat, errs, wall = asyncio.run(load(url, queries, a.clients))
        errors += errs
        runs.append(dict(requests=len(lat), dropped=len(errs), throughput_qps=round(len(lat) / wall, 1),
                         p50_ms=ms(lat, 50), p95_ms=ms(lat, 95), p99_ms=ms(lat, 99), wall_s=round(wall, 1)))
        print('run', r, runs[-1], flush=True)
    server.send_signal(signal.SIGINT); server.wait(30)
    med = lambda k: float(np.median([x[k] for x in runs]))
    res = dict(records=a.records, vector_index=a.vectors, clients=a.clients, repeats=a.repeats,
               requests=sum(x['requests'] for x in runs), dropped=len(errors), errors=errors[:5],
               index_build_s=round(build_s, 1),
               index_bytes=sum(f.stat().st_size for f in (tmp / 'idx').rglob('*') if f.is_file()),
               server=dict(throughput_qps=med('throughput_qps'), p50_ms=med('p50_ms'), p95_ms=med('p95_ms'),
                           p95_ms_worst_run=max(x['p95_ms'] for x in runs), p99_ms=med('p99_ms'),
                           summary='median of the runs'),
               runs=runs,
               in_process=dict(queries=len(inproc), p50_ms=ms(inproc, 50), p95_ms=ms(inproc, 95),
                               qps_one_at_a_time=round(float(1 / inproc.mean()), 1)),
               note='server latency includes queueing behind the other clients: with one worker, 50 clients wait '
                    'their turn, so p50 ≈ clients / throughput; the overhead ratio compares the server\'s '
                    'throughput with in-process search one query at a time')
    res['overhead'] = dict(
        time_per_query_ratio=round(float((1 / res['server']['throughput_qps']) / inproc.mean()), 2),
        p50_ratio=round(res['server']['p50_ms'] / res['in_process']['p50_ms'], 1))
    report('serve', res)
    return res


if __name__ == '__main__':
    main()
