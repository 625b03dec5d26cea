"""Synthetic data throughput on this machine: crops rendered per second (1 and 2 processes, PNG written) and OCR-noise
readings per second for each preset. Prints the figures and writes bench/results/synth.json.

    .venv/bin/python bench/synth.py [--crops 1200] [--texts 20000]
"""
import argparse, json, os, platform, tempfile, time
from pathlib import Path

import numpy as np

from clippings.names import stream_rng, firm_names, print_variant
from clippings.render import find_fonts
from clippings.simocr import OCR_PRESETS, GlyphConfusions
from clippings.synth import SampleConfig, _plan, render_plan


def bench_render(n_crops, workers, fonts):
    cfg = SampleConfig(n_targets=n_crops // 2, n_matched=n_crops // 4, n_nomatch=n_crops // 4, n_synth=0, seed=1)
    plan = _plan(cfg, fonts)
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        render_plan(plan, cfg, Path(out), workers)
        return len(plan) / (time.perf_counter() - t)


def bench_noise(n_texts, fonts):
    firms = firm_names(n_texts, seed=2)
    rng = np.random.default_rng(0)
    texts = [print_variant(f, rng, .3, .8) for f in firms.to_dict('records')]
    t = time.perf_counter()
    confusions = GlyphConfusions.from_fonts(''.join(texts), fonts[:4])
    build_s = time.perf_counter() - t
    rates = {}
    for name, noise in OCR_PRESETS.items():
        rng = stream_rng(0, 'bench', name)
        t = time.perf_counter()
        for s in texts: noise.apply(s, confusions, rng)
        rates[name] = n_texts / (time.perf_counter() - t)
    return build_s, rates


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--crops', type=int, default=1200)
    p.add_argument('--texts', type=int, default=20000)
    args = p.parse_args()
    fonts = find_fonts()
    res = {'machine': {'cpus': os.cpu_count(), 'platform': platform.platform(), 'fonts': len(fonts)}, 'crops': args.crops, 'texts': args.texts}
    for w in (1, 2): res[f'renders_per_s_{w}_workers'] = round(bench_render(args.crops, w, fonts), 1)
    build_s, rates = bench_noise(args.texts, fonts)
    res['confusion_model_build_s'] = round(build_s, 2)
    res |= {f'noisy_texts_per_s_{k}': round(v) for k, v in rates.items()}
    for k, v in res.items(): print(f'{k}: {v}')
    out = Path(__file__).parent / 'results' / 'synth.json'
    out.write_text(json.dumps(res, indent=1))
    print(f'wrote {out}')


if __name__ == '__main__': main()
