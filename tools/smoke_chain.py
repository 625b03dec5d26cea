"""Train `tools/smoke_chain.yaml` and hash each stage's weights: the same hashes before and after a refactor of the
training code (on the same machine, torch and thread count) show it changed nothing.

    OMP_NUM_THREADS=1 .venv/bin/python tools/smoke_chain.py [--save FILE] [--against FILE]

Prints {stage: sha256[:16] of its weights}; --save writes them, --against compares (exit 1 on a difference).
Takes about a minute on 2 cores.
"""
import argparse, hashlib, json, sys, tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--save'); ap.add_argument('--against')
    a = ap.parse_args(argv)
    from safetensors.torch import load_file
    from clippings.training import train
    cfg = yaml.safe_load((HERE / 'smoke_chain.yaml').read_text())
    cfg['data'] = {k: str((HERE / v).resolve()) for k, v in cfg['data'].items()}
    cfg['output_dir'] = tempfile.mkdtemp(prefix='smoke_chain_')
    hashes = {}
    for stage, folder in train(cfg, resume=False, progress=False).items():
        w = load_file(str(Path(folder) / 'model.safetensors'))
        h = hashlib.sha256()
        for name in sorted(w): h.update(name.encode()); h.update(w[name].numpy().tobytes())
        hashes[stage] = h.hexdigest()[:16]
    print(json.dumps(hashes, indent=1))
    if a.save: Path(a.save).write_text(json.dumps(hashes, indent=1) + '\n')
    if a.against:
        want = json.loads(Path(a.against).read_text())
        diff = {k: (want.get(k), v) for k, v in hashes.items() if want.get(k) != v}
        if diff: print(f'weights differ from {a.against}: {diff}', file=sys.stderr); return 1
        print(f'identical to {a.against}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
