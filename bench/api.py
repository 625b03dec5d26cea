"""`clippings.link` speed on two DataFrames of text-only records with the shipped model (issue target: 1,000 x 10,000
records <= 30 s on 2 cores including embedding; the second, cached call <= 5 s). Firm names made by `clippings.names`;
a fresh vector cache. The anchor, timed in the same process: normalised Levenshtein top-1 through the same call.
Writes bench/results/api.json.

    .venv/bin/python bench/api.py
"""
import sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import isolated, report, timed


def run(n_left, n_right):
    import os
    os.environ['CLIPPINGS_CACHE'] = tempfile.mkdtemp()
    import pandas as pd, clippings
    from clippings.names import firm_names
    names = firm_names(n_right, seed=1)['name'].tolist()
    right = pd.DataFrame({'ocr': names})
    left = pd.DataFrame({'ocr': names[:n_left]})
    _, load_s = timed(clippings.load_model, 'clippings-ja-small')
    first, first_s = timed(clippings.link, left, right, progress=False)
    _, second_s = timed(clippings.link, left, right, progress=False)
    _, lev_s = timed(clippings.link, left, right, model='levenshtein_norm')
    return dict(load_model_s=load_s, first_call_s=first_s, second_call_s=second_s, levenshtein_norm_s=lev_s,
                self_link_top1=float((first['ocr'] == first['ocr_right']).mean()))


if __name__ == '__main__':
    res, mb = isolated(run, 1_000, 10_000)
    report('api', {'records': '1,000 x 10,000 text-only firm names', **res, 'peak_rss_mib': mb,
                   'first_over_levenshtein': round(res['first_call_s'] / res['levenshtein_norm_s'], 2),
                   'second_over_levenshtein': round(res['second_call_s'] / res['levenshtein_norm_s'], 2),
                   'first_met': res['first_call_s'] <= 30, 'second_met': res['second_call_s'] <= 5})
