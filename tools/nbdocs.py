"""Turn the nbdev notebooks into documentation sources without Quarto.

    python tools/nbdocs.py site OUT      # processed notebooks + toctree for Sphinx/myst-nb, written under OUT
    python tools/nbdocs.py readme        # regenerate README.md from nbs/index.ipynb
    python tools/nbdocs.py readme --check  # fail if README.md differs from what nbs/index.ipynb gives

Notebooks go through nbdev's own processors (a `show_doc` card after every exported definition that has none, exported
and hidden cells removed, directive lines dropped), then the
Quarto cell options nbdev leaves in place (`#| echo: false`, `#| output: false`, `#| include: false`) become myst-nb
cell tags, and `show_doc` cells show their card but not their input: the card is rendered afresh from the exported
module at build time, so it always matches the code (a stored output may be stale or missing). A notebook that holds an error output is
broken: the build stops and names it.
"""
import importlib, json, re, shutil, sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from execnb.nbio import dict2nb
from nbdev.process import NBProcessor
from nbdev.processors import add_show_docs, clean_magics, hide_, hide_line, rm_export, rm_header_dash, strip_ansi, strip_hidden_metadata
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
README_HEADER = '<!-- Generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file. -->\n\n'
_quarto_opt = re.compile(r'^#\|\s*([\w-]+)\s*:\s*(\S+)\s*$')
_tags_for = {('echo', 'false'): 'remove-input', ('output', 'false'): 'remove-output', ('include', 'false'): 'remove-cell'}


class BrokenNotebook(Exception): pass


def quarto_options_to_tags(cell):
    "Replace the Quarto options nbdev leaves in a code cell by myst-nb tags"
    if cell.cell_type != 'code': return
    lines, tags = [], set(cell.metadata.get('tags', []))
    for line in cell.source.splitlines():
        m = _quarto_opt.match(line)
        if m: tags.update(t for k, t in _tags_for.items() if k == (m[1], m[2].lower()))
        else: lines.append(line)
    if lines and lines[0].startswith('show_doc('):
        tags.add('remove-input')
        tidy_show_doc(cell)
    cell.source = '\n'.join(lines).strip()
    if tags: cell.metadata['tags'] = sorted(tags)


_quarto_link_attrs = re.compile(r'\)\{[^}]*\}')

def tidy_show_doc(cell):
    "Make show_doc's Quarto-flavoured markdown plain MyST: no leading rule, no attribute blocks after links"
    for out in cell.get('outputs', []):
        md = out.get('data', {}).get('text/markdown')
        if md is None: continue
        md = ''.join(md) if isinstance(md, list) else md
        out['data']['text/markdown'] = _quarto_link_attrs.sub(')', '\n'.join(l for l in md.splitlines() if l.strip() != '---'))


_default_exp = re.compile(r'^#\|\s*default_exp\s+(\S+)', re.M)

def render_show_doc(cell, module):
    "Replace a `show_doc(X)` cell's outputs by X's card, rendered now from the exported `module`"
    from nbdev.showdoc import show_doc
    obj = eval(cell.source.strip()[len('show_doc('):-1], vars(importlib.import_module(module)))
    card = show_doc(obj)._repr_markdown_().replace('#LNone', '')
    cell.outputs = [nbformat.v4.new_output('display_data', data={'text/markdown': card})]


def _in_definition_order(cells):
    "nbdev inserts the cards of a cell's definitions last first: put each run of them back in the order of the code"
    out, run = [], []
    for c in cells + [None]:
        if c is not None and c.get('has_sd'): run.append(c); continue
        out += run[::-1]; run = []
        if c is not None: out.append(c)
    return out


def check_no_errors(nb, path):
    "A notebook whose stored outputs hold an error is broken"
    for i, cell in enumerate(nb.cells):
        for out in cell.get('outputs', []):
            if out.get('output_type') == 'error':
                raise BrokenNotebook(f"{path}: cell {i} holds an error output ({out.get('ename')}: {out.get('evalue')})")


def process(path: Path):
    "A notebook as the docs should show it"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    check_no_errors(nb, path)
    exp = next((m[1] for c in nb.cells if c.cell_type == 'code' for m in [_default_exp.search(c.source)] if m), None)
    proc = NBProcessor(path, nb=dict2nb(json.loads(nbformat.writes(nb))),
                       procs=[add_show_docs, strip_ansi, hide_line, rm_header_dash, rm_export, clean_magics, hide_, strip_hidden_metadata])
    proc.process()
    cells = [c for c in _in_definition_order(proc.nb.cells) if c.cell_type != 'code' or c.source.strip()]
    if exp:
        for c in cells:
            if c.cell_type == 'code' and c.source.strip().startswith('show_doc('): render_show_doc(c, f'clippings.{exp}')
    for c in cells:
        for key in ('directives_', 'idx_', 'has_sd'): c.pop(key, None)
        quarto_options_to_tags(c)
    # a JSON round trip drops nbdev's bookkeeping types and rejoins the line lists its processors leave
    out = nbformat.reads(json.dumps({k: v for k, v in proc.nb.items() if not k.endswith('_')} | {'cells': cells}), as_version=4)
    nbformat.validate(out)
    return out


def doc_notebooks():
    "The notebooks of the site in reading order: the home page, the tutorials, the method, the numbered modules, then other sub-folders"
    nbs = sorted(p for p in NBS.rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))
    def place(p):
        rel = p.relative_to(NBS)
        if rel.parts[0] == 'tutorials': return 1
        return {'index.ipynb': 0, 'method.ipynb': 2}.get(str(rel), 3 if len(rel.parts) == 1 else 4)
    return sorted(nbs, key=lambda p: (place(p), str(p)))


def toctree_cell(paths):
    entries = '\n'.join(p.relative_to(NBS).with_suffix('').as_posix() for p in paths)
    return nbformat.v4.new_markdown_cell(f"```{{toctree}}\n:maxdepth: 1\n:hidden:\n\n{entries}\n```")


EXECUTED = ROOT / 'replication' / 'results' / 'sample' / 'notebooks'  # what `make replicate` ran, with its outputs


def build_site_sources(out: Path):
    paths = doc_notebooks()
    for p in paths:
        executed = EXECUTED / p.name
        nb = process(executed if p.parent.name == 'replication' and executed.exists() else p)
        if p.name == 'index.ipynb' and p.parent == NBS: nb.cells.append(toctree_cell([q for q in paths if q != p]))
        dst = out / p.relative_to(NBS)
        dst.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dst)
    figures = [f for f in NBS.rglob('images/*.png') if '_build' not in f.parts]  # figures the notebooks' prose shows
    for f in figures:
        dst = out / f.relative_to(NBS); dst.parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(f, dst)
    print(f"{len(paths)} notebooks processed into {out}, with {len(figures)} figures")


def readme_text() -> str:
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {'remove-cell'}
    c.TagRemovePreprocessor.remove_input_tags = {'remove-input'}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {'remove-output'}
    exporter = MarkdownExporter(config=c)
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    nb = process(NBS / 'index.ipynb')
    nb.metadata['language_info'] = {'name': 'python'}  # fenced code blocks get their language
    body, _ = exporter.from_notebook_node(nb)
    return README_HEADER + re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'


def main(argv):
    if len(argv) >= 2 and argv[0] == 'site': return build_site_sources(Path(argv[1]))
    if argv[:1] == ['readme']:
        text, readme = readme_text(), ROOT / 'README.md'
        if '--check' in argv:
            if not readme.exists() or readme.read_text(encoding='utf-8') != text:
                sys.exit('README.md differs from nbs/index.ipynb: run `make readme` and commit it')
            return print('README.md matches nbs/index.ipynb')
        readme.write_text(text, encoding='utf-8')
        return print('README.md regenerated from nbs/index.ipynb')
    sys.exit(__doc__)


if __name__ == '__main__':
    try: main(sys.argv[1:])
    except BrokenNotebook as e: sys.exit(f"broken notebook: {e}")
