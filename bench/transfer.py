"""Does a language model trained only on synthetic data beat the string rules on a *shifted* test set?

The real check (1950s OCR of firm titles) stays outside the project. This script builds the closest thing we can make
here: a linkage set whose firms come from the held-out tenth of the lexicon (no core seen in training), printed in the
other side's fonts (targets in the sources' faces and the reverse), degraded harder (strength 1.3), at 36 px instead
of 40, and read by Tesseract with other settings (x1.5 instead of x2) -- then links its 400 partner mentions into its
1,000-title universe by normalised Levenshtein, stroke n-grams and each model given, on the Tesseract OCR of both sides.
It also prints how far apart true pairs are, beside the aggregate facts of the real set (1.1 edits per pair, 30%
identical). Writes bench/results/transfer.json; the crops go to bench/shifted/ (not committed), the OCR cache to
bench/results/shifted_ocr_cache.json (committed, so a rerun reads nothing twice).

    .venv/bin/python bench/transfer.py [MODEL_FOLDER ...]     # default: runs/scratch/sup_language/model
"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import RESULTS, report

import numpy as np, pandas as pd
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).parent.parent
SHIFTED = Path(__file__).parent / 'shifted'
CONFIG = dict(n_targets=1000, n_matched=400, n_nomatch=0, n_synth=0, synth_views=2, seed=101, strength=1.3, line_px=36,
              n_names=0, n_lines=0, lexicon='heldout', ocr_scale=1.5, ocr='tesseract')


def shifted_set():
    "Build (or reuse) the shifted linkage set; its targets are printed in the source faces and the reverse"
    from clippings.records import read_records
    from clippings.synth import SampleConfig, build_sample_data, find_fonts
    made = SHIFTED / 'manifest.json'
    if not made.exists() or json.loads(made.read_text())['config'] != CONFIG:
        t = time.time()
        build_sample_data(SHIFTED, SampleConfig(**CONFIG), fonts=find_fonts()[::-1], overwrite=True,
                          ocr_cache=RESULTS / 'shifted_ocr_cache.json')
        print(f'built the shifted set in {time.time() - t:.0f} s')
    return read_records(SHIFTED / 'records.parquet')


def pair_distance(recs, col):
    "Edits between each matched source and its target, and the share of identical pairs"
    t = recs[recs.side == 'target'].set_index('entity_id')[col]
    s = recs[recs.side == 'source']
    d = np.array([Levenshtein.distance(a, t[e]) for a, e in zip(s[col], s.entity_id)])
    return dict(edits_per_pair=round(float(d.mean()), 2), identical=round(float((d == 0).mean()), 3))


def main(models):
    from clippings.metrics import bootstrap
    from clippings.models import ClippingsModel
    from clippings.records import make_gallery
    from clippings.rules import rule_link
    from clippings.batches import top1_hits
    recs = shifted_set().assign(split='test')
    gallery = make_gallery(recs, 'test')
    truth = dict(zip(recs.record_id, recs.entity_id))
    res = {'config': CONFIG, 'queries': len(gallery.queries), 'gallery': len(gallery.gallery)}
    for col in ('text_noisy', 'text'):
        rows = {}
        for method in ('levenshtein_norm', 'stroke'):
            top = rule_link(gallery.queries, gallery.gallery, method, col)
            rows[method] = np.array([truth[t] == truth[q] for q, t in zip(top.query_id, top.target_id)], float)
        for m in models:
            model = ClippingsModel.from_pretrained(m)
            rows[str(Path(m).relative_to(ROOT) if Path(m).is_absolute() and Path(m).is_relative_to(ROOT) else m)] = top1_hits(model, gallery, 0., col).to_numpy(float)
        res[col] = {'pairs': pair_distance(recs, col), 'top1': {k: str(bootstrap(v, seed=0)) for k, v in rows.items()}}
    res['real_set_facts'] = {'edits_per_pair': 1.1, 'identical': .30, 'levenshtein_norm_top1': .873, 'stroke_top1': .848}
    report('transfer', res)


if __name__ == '__main__':
    main(sys.argv[1:] or [str(ROOT / 'runs/scratch/sup_language/model')])
