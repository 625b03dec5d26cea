"""Rule-based linking speed on this machine (issue targets: Levenshtein 10,000 x 10,000 top-1 <= 2 s and <= 1 GB;
stroke n-gram 1,000 x 10,000 top-1 <= 2 s). Also the speed-up of the chunked rapidfuzz cdist over a per-pair Python loop,
on a 200 x 10,000 slice, measured in the same run. Writes bench/results/rules.json.

    .venv/bin/python bench/rules.py
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import isolated, report, timed


def names(n, seed):
    from clippings.names import firm_names
    return firm_names(n, seed).name.tolist()


def levenshtein_run(nq, nt):
    from clippings.rules import levenshtein_topk
    q, t = names(nq + nt, 1)[:nq], names(nq + nt, 1)[nq:]
    return timed(levenshtein_topk, q, t)[1]


def stroke_run(nq, nt):
    from clippings.rules import StrokeIndex
    q, t = names(nq + nt, 2)[:nq], names(nq + nt, 2)[nq:]
    return timed(lambda: StrokeIndex.fit(t).topk(q))[1]


def loop_vs_cdist(nq, nt):
    from rapidfuzz.distance import Levenshtein
    from clippings.rules import levenshtein_topk
    q, t = names(nq + nt, 3)[:nq], names(nq + nt, 3)[nq:]
    def loop():  # the per-pair Python loop: one distance call per pair, first minimum wins
        return [min(range(len(t)), key=lambda j: Levenshtein.distance(a, t[j])) for a in q]
    best_loop, loop_s = timed(loop)
    r, cdist_s = timed(levenshtein_topk, q, t)
    assert best_loop == r.index[:, 0].tolist(), 'the loop and cdist disagree'
    return loop_s, cdist_s


if __name__ == '__main__':
    lev_s, lev_mb = isolated(levenshtein_run, 10_000, 10_000)
    stroke_s, stroke_mb = isolated(stroke_run, 1_000, 10_000)
    (loop_s, cdist_s), _ = isolated(loop_vs_cdist, 200, 10_000)
    report('rules', {
        'levenshtein_10k_x_10k_top1_s': lev_s, 'levenshtein_peak_rss_mib': lev_mb,
        'levenshtein_target': '<= 2 s, <= 1024 MiB', 'levenshtein_met': lev_s <= 2 and lev_mb <= 1024,
        'stroke_1k_x_10k_top1_s (fit + search)': stroke_s, 'stroke_peak_rss_mib': stroke_mb, 'stroke_met': stroke_s <= 2,
        'slice_200_x_10k_python_loop_s': loop_s, 'slice_200_x_10k_cdist_s': cdist_s,
        'speedup_cdist_over_loop': round(loop_s / cdist_s, 1)})
