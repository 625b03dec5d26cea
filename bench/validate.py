"""Seconds of one per-epoch validation of a multimodal SupCon stage on the sample records (val sources searched among
the targets, on both OCR columns, plus the collapse guard), with the small CPU-default model of
replication/configs/scratch_train.yaml. Anchor, timed in the same process: the same scores computed the way validation
did before images were decoded once per stage and embedded once for all OCR columns — `top1_hits` per column from the
image files, and the guard's image sample from the files. Both must give the same top-1.
Writes bench/results/validate.json.

    .venv/bin/python bench/validate.py
"""
import sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import report, timed

ROOT = Path(__file__).parents[1]


def from_files(run, cols):
    "Validation as before: every column embeds the images again from their files, and so does the guard"
    from clippings.models import mean_pairwise_cosine
    from clippings.batches import top1_hits
    top1 = sum(top1_hits(run.model, run.val_gallery, run.stage.im_wt, c, run.root).mean() for c in cols) / len(cols)
    sample = run.val_gallery.gallery.sample(256, random_state=0)
    mean_pairwise_cosine(run.model.embed_images(sample['image_path'], root=run.root, progress=False))
    return top1


def main():
    import torch, yaml
    from clippings.models import ClippingsModel
    from clippings.records import read_records
    from clippings.runner import StageRun
    from clippings.stages import make_stage
    cfg = yaml.safe_load((ROOT / 'replication/configs/scratch_train.yaml').read_text())['model']['small']
    cfg.pop('vocab_from')
    recs = read_records(ROOT / 'sample_data/records.parquet', verify_images=False)
    model = ClippingsModel.small(list(recs.text) + list(recs.text_noisy), **cfg)
    cols = ['text', 'text_noisy']
    stage = make_stage('bench', 'supcon', 'records', im_wt=.5, text_cols=cols, max_steps=1, char_wt=1.)
    (run, setup_s) = timed(StageRun, model, stage, recs, tempfile.mkdtemp(), progress=False)
    run.t0 = 0
    _, cached_s = timed(run._validate, -1)
    cached_top1 = float(run.best['score'])
    old_top1, files_s = timed(from_files, run, cols)
    n = len(run.val_gallery.queries)  # two embedding paths differ in the last bits: one near-tie may flip a query
    assert abs(cached_top1 - old_top1) <= 1 / n + 1e-9, (cached_top1, old_top1)
    report('validate', {'threads': torch.get_num_threads(), 'val_queries': len(run.val_gallery.queries), 'val_gallery': len(run.val_gallery.gallery),
                        'stage_setup_s (decodes training and validation images once)': setup_s,
                        'validation_s': cached_s, 'anchor_validation_from_files_s': files_s,
                        'speedup': round(files_s / cached_s, 2), 'val_top1 (both ways)': cached_top1})


if __name__ == '__main__':
    main()
