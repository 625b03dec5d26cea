"""Training and embedding throughput of CLIPPINGS models.

CPU (always): the small CPU-default model of replication/configs/scratch_train.yaml (64 px ViT + character text tower):
SupCon steps/s at im_wt 0.5, 1 and 0 (batch 126), CLIP steps/s (batch 128), and embedding records/s, both from
in-memory tensors (the model) and end to end from the sample_data image files (decoding included).
GPU (when one is present): a CLIPModel sized like ViT-B/16 (random init, 224 px, 12+12 layers, 512-d projection)
in bf16 autocast: embedding records/s (image + text) and SupCon training steps/s at batch 126. Then the training
chains themselves, end to end through `clippings.training.train` on the sample data (bf16, random init, 224 px padded
crops): the multimodal and visual chains of the sample profile (synthetic renders -> labelled records, hard-negative
batches) with a timm ViT-B/16 image tower and a 12-layer text tower, and the image-only ViT chain V1 -> V4 (render
augmentation on). For each stage: optimiser steps/s and records/s from the stage's own log (wall time between
consecutive steps: data loading and augmentation included, validation and mining excluded), the stage's wall seconds
(setup, mining and validation included), and its selected validation top-1.
Writes bench/results/train_cpu.json and, on a GPU, bench/results/train_gpu.json.

    .venv/bin/python bench/train.py              # CPU figures, plus GPU figures when CUDA is available
    .venv/bin/python bench/train.py --gpu-only   # GPU figures alone
    .venv/bin/python bench/train.py --dry-run    # the GPU chains' code path on the CPU: tiny towers, 2 steps a stage
"""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _util import rate, report

ROOT = Path(__file__).parents[1]


def _supcon_step(model, opt, loss_fn, px, texts, labels, im_wt, autocast):
    import torch
    with autocast():
        loss = loss_fn(model(px, texts, im_wt).float(), labels)
    loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)


def cpu_figures():
    import contextlib, torch, yaml
    from pytorch_metric_learning.losses import SupConLoss
    from clippings.models import ClippingsModel
    from clippings.records import read_records
    from clippings.stages import clip_loss
    cfg = yaml.safe_load((ROOT / 'replication/configs/scratch_train.yaml').read_text())['model']['small']
    cfg.pop('vocab_from')
    recs = read_records(ROOT / 'sample_data/records.parquet', verify_images=False)
    model = ClippingsModel.small(list(recs.text) + list(recs.text_noisy), **cfg)
    S = model.transform.size
    opt = torch.optim.AdamW(model.parameters(), 1e-4)
    loss_fn, none = SupConLoss(.1), contextlib.nullcontext
    px, texts = torch.randn(126, 3, S, S), list(recs.text[:126])
    labels = torch.arange(126) // 3
    res = {'model': f"small CLIP {cfg}", 'threads': torch.get_num_threads(),
           'params_M': round(sum(p.numel() for p in model.parameters()) / 1e6, 2)}
    for w in (.5, 1., 0.):
        res[f'supcon_steps_per_s_im_wt_{w}_batch_126'] = rate(lambda: _supcon_step(model, opt, loss_fn, px, texts, labels, w, none), 1, 5)
    px128 = torch.randn(128, 3, S, S)
    def clip_step():
        img, txt = model(px128, list(recs.text[:128]), pooled=False)
        clip_loss(img, txt, model.logit_scale).backward(); opt.step(); opt.zero_grad()
    res['clip_steps_per_s_batch_128'] = rate(clip_step, 1, 5)
    model.eval()
    with torch.no_grad():
        big = torch.randn(512, 3, S, S)
        res['embed_images_per_s_from_tensors'] = rate(lambda: model.encode_images(big), 512, 3)
        res['embed_texts_per_s'] = rate(lambda: model.encode_texts(list(recs.text[:1024])), 1024, 3)
    sub = recs.head(2000)
    t = time.perf_counter(); model.embed(sub, .5, progress=False)
    res['embed_records_per_s_end_to_end (decode + image + text, 2000 sample records)'] = round(len(sub) / (time.perf_counter() - t), 1)
    return res


def gpu_figures():
    import torch
    from pytorch_metric_learning.losses import SupConLoss
    from transformers import CLIPConfig, CLIPModel
    from clippings.models import ClippingsModel, HFDualEncoder, ImageTransform, char_tokenizer
    dev = torch.device('cuda')
    tok = char_tokenizer(['株式会社日本製鉄合資会社西川硝子工業'] * 10, max_length=32)
    cfg = CLIPConfig(text_config=dict(vocab_size=len(tok), hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                                      num_attention_heads=8, max_position_embeddings=32, pad_token_id=0, bos_token_id=2, eos_token_id=3),
                     vision_config=dict(image_size=224, patch_size=16, hidden_size=768, intermediate_size=3072,
                                        num_hidden_layers=12, num_attention_heads=12), projection_dim=512)
    model = ClippingsModel(HFDualEncoder(CLIPModel(cfg), tok), ImageTransform(224)).to(dev)
    sync = torch.cuda.synchronize
    bf16 = lambda: torch.autocast('cuda', dtype=torch.bfloat16)
    res = {'model': 'CLIPModel ViT-B/16-sized (224 px, 12+12 layers, projection 512), random init, bf16 autocast',
           'gpu': torch.cuda.get_device_name(), 'params_M': round(sum(p.numel() for p in model.parameters()) / 1e6, 1)}
    texts = ['株式会社日本製鉄'] * 1024
    model.eval()
    with torch.no_grad():
        for bs in (512, 1024):
            px = torch.randn(bs, 3, 224, 224, device=dev)
            def both():
                with bf16(): model(px, texts[:bs], .5)
            def images():
                with bf16(): model.encode_images(px)
            res[f'embed_records_per_s_image_and_text_batch_{bs}'] = rate(both, bs, 5, 2, sync)
            res[f'embed_images_per_s_batch_{bs}'] = rate(images, bs, 5, 2, sync)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), 1e-5, betas=(.9, .98), eps=1e-6)
    px, labels = torch.randn(126, 3, 224, 224, device=dev), torch.arange(126, device=dev) // 3
    res['supcon_steps_per_s_im_wt_0.5_batch_126'] = rate(lambda: _supcon_step(model, opt, SupConLoss(.1), px, texts[:126], labels, .5, bf16), 1, 10, 2, sync)
    res['supcon_records_per_s_batch_126'] = round(res['supcon_steps_per_s_im_wt_0.5_batch_126'] * 126, 1)
    res['peak_gpu_memory_gib'] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    res['embedding_goal_10000_per_s_met'] = res['embed_records_per_s_image_and_text_batch_1024'] >= 10_000
    return res


GPU_TOWERS = dict(image_size=224, vision={'arch': 'vit_base_patch16_224'}, transform='pad', glyphs=False,
                  width=512, layers=12, heads=8, embed_dim=512, max_length=48)  # ViT-B/16 (timm, random init) + a 12-layer text tower
DRY_TOWERS = dict(image_size=224, vision={'arch': 'vit_tiny_patch16_224', 'depth': 1}, transform='pad', glyphs=False,
                  width=32, layers=1, heads=2, embed_dim=32, max_length=48)


def chain_configs(out, towers=GPU_TOWERS, epochs=(2, 3), vit_epochs=(1, 1, 1, 1), max_steps=None, device='cuda', vit_workers=8):
    "The sample profile's multimodal and visual chains, and the ViT chain V1 -> V4 (its augmentation in `vit_workers` DataLoader workers), with `towers` at 224 px on `device`"
    from clippings.vit import vit_config
    synth, records = str(ROOT / 'sample_data/synth.parquet'), str(ROOT / 'sample_data/records.parquet')
    both, limit = dict(text_cols=['text', 'text_noisy']), dict(max_steps=max_steps) if max_steps else {}
    stage = lambda name, data, init, im_wt, e, **kw: dict(name=name, loss='supcon', data=data, init=init, im_wt=im_wt, epochs=e,
                                                          lr=1e-4, warmup_steps=20, **limit, **kw)
    stages = [stage('synth_multimodal', 'synth', 'base', .5, epochs[0], **both), stage('sup_multimodal', 'records', 'synth_multimodal', .5, epochs[1], **both),
              stage('synth_visual', 'synth', 'base', 1., epochs[0]), stage('sup_visual', 'records', 'synth_visual', 1., epochs[1])]
    clippings = dict(model={'small': {**towers, 'vocab_from': ['synth', 'records']}}, data=dict(synth=synth, records=records), stages=stages,
                     output_dir=str(Path(out) / 'clippings'), device=device, precision='bf16', seed=0)
    vit = vit_config(synth, records, vision=towers['vision'], image_size=224, transform='pad', augment=True, epochs=vit_epochs,
                     lr=(1e-4,) * 4, output_dir=str(Path(out) / 'vit')).to_dict()
    vit['model']['small']['glyphs'] = towers['glyphs']  # the ViT's text tower is never trained or run
    for s in vit['stages']: s.update(limit)
    return {'clippings': clippings, 'vit': {**vit, 'device': device, 'num_workers': vit_workers}}


def recorded_configs():
    "The chains' configs as the JSON records them: data paths relative to the repository, no output folder"
    import json
    text = json.dumps({k: {x: v for x, v in c.items() if x != 'output_dir'} for k, c in chain_configs('out').items()})
    return json.loads(text.replace(f'{ROOT}/', ''))


def stage_figures(folder):
    "Steps/s and records/s of a finished stage from its log (consecutive training steps only), its wall time and selected val top-1"
    import json, pandas as pd
    log, done = pd.read_csv(folder / 'log.csv'), json.loads((folder / 'done.json').read_text())
    steps = log[log.loss.notna()]
    gaps = steps.seconds.diff()[steps.epoch.diff() == 0]  # a step after a validation or a mining pass starts a new epoch: skipped
    per_s = float(len(gaps) / gaps.sum()) if len(gaps) else float('nan')
    val = log[log.val_top1.notna()]
    best = val.loc[val.val_top1.idxmax()] if len(val) else None
    return {'steps': int(len(steps)), 'steps_per_s': round(per_s, 2), 'records_per_s': round(per_s * done['stage']['batch_size'], 1),
            'stage_seconds': done['seconds'], 'val_top1_selected': None if best is None else round(float(best.val_top1), 3),
            'selected_epoch': None if best is None else int(best.epoch),
            'val_image_cos_selected': None if best is None or pd.isna(best.val_image_cos) else round(float(best.val_image_cos), 3)}


def chain_figures(out, **kw):
    "Train both chains (from scratch: `out` is emptied first) and report every stage"
    import shutil, time, torch
    from clippings.training import train
    shutil.rmtree(out, ignore_errors=True)
    res = {}
    for name, cfg in chain_configs(out, **kw).items():
        t = time.perf_counter(); models = train(cfg, resume=False, progress=False)
        res[name] = {'chain_seconds': round(time.perf_counter() - t, 1), 'stages': {s: stage_figures(Path(m).parent) for s, m in models.items()}}
        print(name, res[name], flush=True)
    if torch.cuda.is_available(): res['peak_gpu_memory_gib'] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return res


if __name__ == '__main__':
    import tempfile, torch
    if '--dry-run' in sys.argv:
        with tempfile.TemporaryDirectory() as d: print(chain_figures(d, towers=DRY_TOWERS, epochs=(1, 1), vit_epochs=(1, 1, 1, 1), max_steps=2, device='cpu', vit_workers=2))
        sys.exit()
    if '--gpu-only' not in sys.argv: report('train_cpu', cpu_figures())
    if torch.cuda.is_available():
        res = gpu_figures()
        with tempfile.TemporaryDirectory() as d: res['chains'] = chain_figures(d)
        res['chains']['model'] = f'small: {GPU_TOWERS}'
        res['chains']['configs'] = recorded_configs()
        report('train_gpu', res)
    else: print('no GPU: GPU figures skipped')
