"""How two real OCR engines err on the sample's crops: Tesseract 5 and PP-OCR (RapidOCR), side by side.

The sample's training renders (`sample_data/synth.parquet`, 4,800 crops of firms outside the linkage table) and its
linkage crops (`records.parquet`, 2,950) are read by PP-OCR; Tesseract's readings are the committed `text_noisy`
column (the same crops, read when the sample was built). For each engine and set: character error rate (CER, edits
over printed characters) overall and by direction, crops read as nothing, and what the errors are, from the edit
operations between printed and read strings: substitutions, insertions, deletions per printed character; among
substitutions, the share that turn a kanji into a kana (a look-alike such as 力 for カ), a kanji into another kanji, and
a kana into another kana; insertions at the end of the line (a stroke read as an extra character); and read
characters that are simplified Chinese forms (forms OpenCC's `t2s` makes of characters the lexicon prints, none of
them printed themselves). These are the error profiles a per-engine `EngineErrors` learns from (`SampleConfig.
also_read_by`), and the reason a second engine is worth having: it errs where Tesseract does not.

PP-OCR's readings are cached in `bench/results/ppocr_cache.json` (committed, so a rerun or a rebuild of the sample
with both engines reads nothing twice).

    .venv/bin/python bench/engines.py
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import RESULTS, report

import numpy as np
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).parent.parent


def kind(c:str) -> str:
    "kanji, kana or other"
    o = ord(c)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or c == '々': return 'kanji'
    if 0x3040 <= o <= 0x30FF or c == 'ー': return 'kana'
    return 'other'


def profile(printed, read, vertical, simplified:set) -> dict:
    "CER and the kinds of errors of one engine's readings"
    n_chars = sum(map(len, printed))
    subs = ins = dels = end_ins = 0
    sub_kinds = {'kanji->kana': 0, 'kanji->kanji': 0, 'kana->kana': 0, 'other': 0}
    simp = 0
    for p, r in zip(printed, read):
        for op in Levenshtein.opcodes(p, r):
            if op.tag == 'replace':
                a, b = p[op.src_start:op.src_end], r[op.dest_start:op.dest_end]
                for x, y in zip(a, b):
                    k = f'{kind(x)}->{kind(y)}'
                    sub_kinds[k if k in sub_kinds else 'other'] += 1
            elif op.tag == 'insert' and op.src_start == len(p): end_ins += op.dest_end - op.dest_start
        ops = Levenshtein.editops(p, r)
        subs += sum(o.tag == 'replace' for o in ops); ins += sum(o.tag == 'insert' for o in ops)
        dels += sum(o.tag == 'delete' for o in ops)
        simp += sum(c in simplified for c in r)
    cer = np.array([Levenshtein.distance(p, r) / max(1, len(p)) for p, r in zip(printed, read)])
    v = np.asarray(vertical, bool)
    n_sub = max(1, sum(sub_kinds.values()))
    return dict(crops=len(printed), cer=round(float(cer.mean()), 4), cer_horizontal=round(float(cer[~v].mean()), 4),
                cer_vertical=round(float(cer[v].mean()), 4) if v.any() else None,
                read_as_nothing=round(float(np.mean([r == '' for r in read])), 4),
                substitutions_per_char=round(subs / n_chars, 4), insertions_per_char=round(ins / n_chars, 4),
                deletions_per_char=round(dels / n_chars, 4),
                substitution_kinds={k: round(x / n_sub, 3) for k, x in sub_kinds.items()},
                end_of_line_insertions_per_char=round(end_ins / n_chars, 4),
                simplified_chinese_per_char=round(simp / n_chars, 4))


def main():
    import opencc, warnings
    from dataclasses import asdict
    from clippings.lexicon import load_lexicon
    from clippings.ocr import OCRCache, RapidOCRSettings, ocr_records, rapidocr_info
    from clippings.records import read_records
    known = set(''.join(''.join(v) for v in load_lexicon('all').values()))
    t2s = opencc.OpenCC('t2s')
    # characters that are a simplified form of a character the lexicon prints, and not printed by it themselves
    simplified = {t2s.convert(c) for c in known} - known
    cache = OCRCache(RESULTS / 'ppocr_cache.json')
    res = dict(engines={'tesseract': 'the committed text_noisy column (Tesseract 5, jpn / jpn_vert, x2)',
                        'ppocr': dict(rapidocr_info(), settings=asdict(RapidOCRSettings()))})
    for name, file in (('training renders', 'synth.parquet'), ('linkage crops', 'records.parquet')):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            recs = read_records(ROOT / 'sample_data' / file, verify_images=False)
        t = time.perf_counter()
        pp = ocr_records(recs.drop(columns=['text_ppocr'], errors='ignore'), 'text_ppocr', settings=RapidOCRSettings(),
                         cache=cache, workers=2)['text_ppocr'].tolist()
        seconds = time.perf_counter() - t
        vertical = [str(v).strip().lower() in ('true', '1') for v in recs['vertical']]
        printed = recs['printed'].astype(str).tolist()
        res[name] = {'tesseract': profile(printed, recs['text_noisy'].fillna('').astype(str).tolist(), vertical,
                                          simplified),
                     'ppocr': profile(printed, pp, vertical, simplified),
                     'ppocr_seconds (2 workers, cached readings reused)': round(seconds, 1)}
        both = np.array([Levenshtein.distance(a, b) for a, b in zip(recs['text_noisy'].fillna('').astype(str), pp)])
        res[name]['engines_agree'] = round(float((both == 0).mean()), 4)
    report('engines', res)


if __name__ == '__main__':
    main()
