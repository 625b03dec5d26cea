"""The shape of the library, measured: what issue "one concept, one place" asks to hold.

    python tools/shape.py [--check]

Prints, for clippings/*.py (the exported library; `_modidx.py` aside):
- lines over 120 characters (count and share);
- private names imported from another module of the package (`from clippings.x import _y`, at any depth);
- comparisons of a stage's `loss` with a string (`.loss == 'clip'`, `loss in ('clip', ...)`);
- uses of `DataFrame.attrs`;
- exported imports of a higher-numbered notebook's module (a notebook should use only lower numbers);
- notebook numbers used more than once.
With --check (`make test` runs it), exits 1 when a target that holds is broken: private imports, notebook order,
repeated numbers, more than 1% of lines over 120 characters.
"""
import ast, json, re, sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parent.parent
LIB, NBS = ROOT / 'clippings', ROOT / 'nbs'


def modules():
    return {p.stem: p for p in sorted(LIB.glob('*.py')) if p.name not in ('_modidx.py', '__init__.py')}


def imports(tree):
    "(module, name, line) of every `from clippings.x import y` / `from .x import y`, at any depth"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module.split('.')[-1] if node.module.startswith('clippings') or node.level else None
            if mod and mod != 'clippings':
                for a in node.names: yield mod, a.name, node.lineno


def notebook_of():
    "module -> the notebook that exports it (from the `# %% ../nbs/NN_x.ipynb` markers)"
    out = {}
    for name, p in modules().items():
        m = re.search(r'# %% \.\./nbs/([^ ]+\.ipynb)', p.read_text())
        if m: out[name] = m.group(1)
    return out


def number(nb:str) -> str:
    m = re.match(r'(\d+)([a-z]?)_', Path(nb).name)
    return (m.group(1), m.group(2)) if m else None


def measure():
    mods, nbs = modules(), notebook_of()
    res = dict(long_lines=0, lines=0, private_imports=[], loss_strings=[], attrs=0, order=[], repeated_numbers=[])
    for name, p in mods.items():
        text = p.read_text(); lines = text.splitlines()
        res['lines'] += len(lines); res['long_lines'] += sum(len(l) > 120 for l in lines)
        res['attrs'] += len(re.findall(r'\.attrs\b', text))
        tree = ast.parse(text)
        for mod, nm, line in imports(tree):
            if nm.startswith('_') and mod != name and mod in mods: res['private_imports'].append(f'{name}.py:{line} ← {mod}.{nm}')
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == 'loss':
                consts = [c for c in node.comparators if isinstance(c, ast.Constant) and isinstance(c.value, str)
                          or isinstance(c, (ast.Tuple, ast.List, ast.Set))]
                if consts: res['loss_strings'].append(f'{name}.py:{node.lineno}')
        me, top = number(nbs.get(name, '')), {id(n) for n in tree.body}
        for node in ast.walk(tree):  # module-level imports, and lazy ones inside functions (they are exported too)
            if isinstance(node, ast.ImportFrom) and node.module and (node.module.startswith('clippings') or node.level):
                mod = node.module.split('.')[-1]
                them = number(nbs.get(mod, ''))
                if me and them and mod in mods and them > me:
                    where = '' if id(node) in top else ' (inside a function)'
                    msg = f'{nbs[name]} imports {mod} ({nbs[mod]}){where}'
                    if msg not in res['order']: res['order'].append(msg)
    seen = Counter(number(p.name)[0] for p in NBS.glob('[0-9]*.ipynb') if number(p.name) and not number(p.name)[1])
    res['repeated_numbers'] = sorted(n for n, c in seen.items() if c > 1)
    res['long_share'] = round(100 * res['long_lines'] / res['lines'], 2)
    return res


if __name__ == '__main__':
    r = measure()
    print(json.dumps({k: (v if not isinstance(v, list) or len(v) < 12 else v[:12] + [f'... {len(v)} in all'])
                      for k, v in r.items()}, indent=1, ensure_ascii=False))
    broken = [what for what, bad in (('private names imported across modules', r['private_imports']),
                                     ('notebooks importing higher numbers', r['order']),
                                     ('notebook numbers used twice', r['repeated_numbers']),
                                     (f"{r['long_share']}% of lines over 120 characters (at most 1%)", r['long_share'] > 1))
              if bad]
    if '--check' in sys.argv and broken: print('shape: ' + '; '.join(broken), file=sys.stderr); sys.exit(1)
