"""Linking on several fields: does title + address beat the title alone, for the rules and for the model?

Builds a held-out synthetic directory (bench/fields_set/, not committed): 1,000 firm titles from the held-out tenth of
the lexicon and 400 partner-list mentions of them, rendered and read by Tesseract as the sample is
(`clippings.synth.build_sample_data`), plus 125 *namesakes*: new firms, each printing the title of a firm that a mention
names, at its own address. So 250 of the 1,125 targets (22%) share their title with another firm, and 125 of the 400
mentions cannot be resolved by the title alone. Every record then gets its address and trade, printed by its source and
read by Tesseract (`clippings.addresses.build_fields`). The OCR caches are committed beside the results, so a rerun
reads nothing twice.

Measured (top-1 with 95% bootstrap intervals over the test mentions): normalised Levenshtein and the model on the title
alone, on title + address with equal / default weights, and with weights tuned on the val mentions (logistic and grid);
the paired gain of title + address over the title; and the time of `clippings.link` on 1,000 x 10,000 records with one
and with two text fields (vectors computed once first, then linked from the cache; and cold, embedding included), as a
ratio. Writes bench/results/fields.json.

    .venv/bin/python bench/fields.py [MODEL]     # default: clippings-ja-small
"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import RESULTS, report

import numpy as np, pandas as pd

ROOT = Path(__file__).parent.parent
SET = Path(__file__).parent / 'fields_set'
CONFIG = dict(n_targets=1000, n_matched=400, n_nomatch=0, n_synth=0, synth_views=2, seed=303, strength=1.0, line_px=40,
              n_names=0, n_lines=0, lexicon='heldout', ocr_scale=2.0, ocr='tesseract')
NAMESAKES = 125


def _namesakes(recs, cfg):
    "New target firms, each printing the title of a mentioned firm (re-rendered in another face, read by Tesseract)"
    from clippings.names import stream_rng
    from clippings.ocr import OCRCache, TesseractSettings, ocr_images
    from clippings.render import find_fonts
    from clippings.synth import CURSIVE, render_crop
    fonts = [f for f in find_fonts() if not CURSIVE.search(f.name)]
    rng = stream_rng(cfg['seed'], 'namesakes')
    mentioned = sorted(set(recs.entity_id[recs.side == 'source']))
    targets = recs[(recs.side == 'target') & recs.entity_id.isin(mentioned)].sort_values('record_id')
    orig = targets.iloc[rng.choice(len(targets), NAMESAKES, replace=False)]
    rows = []
    for i, r in enumerate(orig.itertuples()):
        path = f'target_images/n{i:06d}.png'
        font = fonts[rng.integers(len(fonts))]
        render_crop(r.printed, font, int(rng.integers(56, 84)), True, cfg['seed'], path, cfg['line_px'], cfg['strength'], SET / path)
        rows.append(dict(record_id=path, image_path=path, text=r.printed, entity_id='ns:' + r.entity_id, side='target', split='unlabelled',
                         printed=r.printed, firm=r.firm, family=r.family, font=font.name, vertical=True, namesake_of=r.entity_id))
    new = pd.DataFrame(rows)
    new['text_noisy'] = ocr_images(new.image_path, root=SET, vertical=True, settings=TesseractSettings(scale=cfg['ocr_scale']),
                                   cache=OCRCache(RESULTS / 'fields_set_ocr_cache.json'))
    return new


def build_set():
    "Build (or reuse) the set: records with namesakes, and each record's fields"
    from clippings.addresses import build_fields
    from clippings.records import read_records, validate_records, write_records
    from clippings.synth import SampleConfig, build_sample_data
    made = SET / 'manifest.json'
    if not made.exists() or json.loads(made.read_text())['config'] != CONFIG or not (SET / 'fields.parquet').exists():
        t = time.time()
        build_sample_data(SET, SampleConfig(**CONFIG), overwrite=True, ocr_cache=RESULTS / 'fields_set_ocr_cache.json')
        recs = read_records(SET / 'records.parquet')
        recs = pd.concat([recs, _namesakes(recs, CONFIG)], ignore_index=True)
        write_records(validate_records(recs, SET, verify_images=False), SET / 'records.parquet')
        build_fields(SET, n_train=0, ocr_cache=RESULTS / 'fields_set_fields_ocr_cache.json')
        print(f'built the set in {time.time() - t:.0f} s')
    recs = read_records(SET / 'records.parquet')
    fields = pd.read_parquet(SET / 'fields.parquet').set_index('record_id')
    return recs.join(fields[['address_noisy', 'trade_noisy']], on='record_id')


def tables(recs):
    "The user's view: mentions (val / test halves by firm) and the directory, with Tesseract's title, address and trade"
    def frame(r):
        return pd.DataFrame({'firm': r.entity_id.to_numpy(), 'title': r.text_noisy.to_numpy(), 'address': r.address_noisy.to_numpy(),
                             'trade': r.trade_noisy.to_numpy(), 'crop_path': [str(SET / p) for p in r.image_path],
                             'has_namesake': r.entity_id.isin(set(recs.get('namesake_of', pd.Series(dtype=str)).dropna())).to_numpy()})
    src = recs[recs.side == 'source'].sort_values('record_id')
    firms = np.array(sorted(set(src.entity_id)))
    val_firms = set(np.random.default_rng(0).permutation(firms)[:len(firms) // 2])
    return frame(src[src.entity_id.isin(val_firms)]), frame(src[~src.entity_id.isin(val_firms)]), frame(recs[recs.side == 'target'].sort_values('record_id'))


def top1(links, n_boot=1000):
    "Top-1 accuracy with its 95% interval over the mentions, and the per-mention hits"
    from clippings.metrics import bootstrap
    hits = (links.firm == links.firm_right).to_numpy(float)
    e = bootstrap(hits, n_boot, seed=0)
    return dict(top1=round(e.value, 3), low=round(e.low, 3), high=round(e.high, 3)), hits


def paired_gain(a, b, n_boot=1000):
    "Mean of b − a per mention with its 95% interval (the same mentions resampled)"
    from clippings.metrics import bootstrap
    e = bootstrap(b - a, n_boot, seed=0)
    return dict(gain=round(e.value, 3), low=round(e.low, 3), high=round(e.high, 3))


def accuracy(model, val, test, directory):
    "Every row of the table for one model or rule"
    from clippings.api import link, tune_fields
    from clippings.fields import GridWeights, LogisticWeights
    image = None if model in ('levenshtein_norm',) else 'crop_path'
    out, hits = {}, {}
    runs = {'title': dict(text='title', image=None), 'title + address': dict(text=['title', 'address'], image=None),
            'title + address + trade': dict(text=['title', 'address', 'trade'], image=None)}
    if image: runs |= {'title, image': dict(text='title', image=image), 'title + address, image': dict(text=['title', 'address'], image=image)}
    for name, kw in runs.items():
        l = link(test, directory, model=model, progress=False, **kw)
        out[name], hits[name] = top1(l)
        ns = test.has_namesake.to_numpy()
        out[name]['top1_on_namesakes'] = round(float(hits[name][ns].mean()), 3)
    for tuner in (LogisticWeights(), GridWeights()):
        w = tune_fields(val, directory, truth='firm', key='firm', model=model, text=['title', 'address'], image=None, tuner=tuner, progress=False)
        l = link(test, directory, model=model, text=['title', 'address'], image=None, weights=w, progress=False)
        out[f'title + address, {tuner.name} weights'] = top1(l)[0] | dict(weights=w.weights, val_top1=round(w.measured['top1'], 3))
    out['gain of title + address over title'] = paired_gain(hits['title'], hits['title + address'])
    return out


def timing(model, n_left=1000, n_right=10000):
    "Seconds of `clippings.link` with one and two text fields on synthetic printed texts (no OCR): warm (cached vectors) and cold"
    import os, tempfile
    from clippings.addresses import DIRECTORY, PARTNER_LIST, firm_address, print_address
    from clippings.api import link
    from clippings.names import firm_names, stream_rng
    firms = firm_names(n_right, 404)
    rng = stream_rng(404, 'timing')
    right = pd.DataFrame({'title': firms.name, 'address': [print_address(firm_address(f), DIRECTORY, rng) for f in firms.firm_id]})
    pick = rng.choice(n_right, n_left, replace=False)
    left = pd.DataFrame({'title': firms.name.to_numpy()[pick], 'address': [print_address(firm_address(f), PARTNER_LIST, rng) for f in firms.firm_id.to_numpy()[pick]]})
    res = {}
    for what, m in (('model', model), ('levenshtein_norm', 'levenshtein_norm')):
        os.environ['CLIPPINGS_CACHE'] = tempfile.mkdtemp()  # cold: nothing embedded yet
        for text in ('title', ['title', 'address']):
            key = 'one field' if text == 'title' else 'two fields'
            t = time.perf_counter(); link(left, right, model=m, text=text, image=None, progress=False); cold = time.perf_counter() - t
            t = time.perf_counter(); link(left, right, model=m, text=text, image=None, progress=False); warm = time.perf_counter() - t
            res[f'{what}, {key}'] = dict(cold_s=round(cold, 2), warm_s=round(warm, 2))
        one, two = res[f'{what}, one field'], res[f'{what}, two fields']
        res[f'{what}, ratio two / one'] = dict(cold=round(two['cold_s'] / one['cold_s'], 2), warm=round(two['warm_s'] / one['warm_s'], 2))
    return res


if __name__ == '__main__':
    import logging
    logging.getLogger('clippings.api').setLevel(logging.ERROR)  # the per-field missing-value counts, once per call
    model = sys.argv[1] if len(sys.argv) > 1 else 'clippings-ja-small'
    recs = build_set()
    val, test, directory = tables(recs)
    printed = recs[recs.side == 'target'].printed
    shared = printed.duplicated(keep=False).mean()
    res = {'set': dict(config=CONFIG, namesakes=NAMESAKES, targets=len(directory), val_mentions=len(val), test_mentions=len(test),
                       test_mentions_with_namesake=int(test.has_namesake.sum()),
                       targets_sharing_their_printed_title=round(float(shared), 3)),
           'model': model}
    for m in ('levenshtein_norm', model):
        res[m if m == 'levenshtein_norm' else 'model'] = accuracy(m, val, test, directory)
    res['link time, 1,000 x 10,000'] = timing(model)
    report('fields', res)
