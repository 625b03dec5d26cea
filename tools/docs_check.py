"""Open the built docs site in headless Chromium and check that its index page really shows the project.

    python tools/docs_check.py [_build/html]

Takes a screenshot (written next to the site as docs-check.png) and the rendered DOM; fails if the page is blank,
shows a traceback, or lacks the project title or the records API; and fails if a module's page lacks the card of a
function or class the module exports (`__all__`).
"""
import html, importlib, inspect, json, re, subprocess, sys, shutil, tempfile
from pathlib import Path
from PIL import Image, ImageStat

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic', '--hide-scrollbars']
MUST_SHOW = {'index.html': ['clippings', 'Multimodal record linkage', 'make install && make replicate', 'make test', 'validate_records'],
             '01e_synth.html': ['build_sample_data'], '01d_simocr.html': ['GlyphConfusions', 'OCRNoise'], '01a_names.html': ['firm_names'],
             '02_rules.html': ['rule_link', 'levenshtein_topk'], '09_clustering.html': ['slink', 'identical partition: True'],
             '04_metrics.html': ['bootstrap', 'Levenshtein distance'],
             '03_models.html': ['ClippingsModel', 'pad_to_square', 'char_tokenizer'],
             '07c_runner.html': ['train_stage'], '07d_training.html': ['Sup Multimodal', 'intervals do not overlap'],
             '06_embed.html': ['embed_records', 'Embeddings'],
             '10_replicate.html': ['replicate', 'load_profile'],
             'replication/japanese_linkage.html': ['Sup Multimodal Linking', 'Levenshtein distance'],
             'replication/newspaper_clustering.html': ['Jaccard similarity', 'ARI'],
             '00a_records.html': ['validate_records', 'read_clippings_layout', 'split_entities', 'RecordError'],
             '14_api.html': ['tune_threshold', 'VectorCache', 'block_on'],
             'tutorials/01_link_your_records.html': ['clippings.link', 'no-match accuracy', 'normalised Levenshtein']}


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(name): return shutil.which(name)
    sys.exit('docs-check: Chromium not found; on Debian: apt-get install chromium (make docs-check installs it as root)')


def render(browser, page: Path, png: Path) -> str:
    with tempfile.TemporaryDirectory() as profile:
        flags = FLAGS + [f'--user-data-dir={profile}']
        subprocess.run([browser, *flags, f'--screenshot={png}', '--window-size=1280,1600', page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        dom = subprocess.run([browser, *flags, '--dump-dom', page.as_uri()], check=True, capture_output=True, text=True, timeout=120)
    return dom.stdout


def check_page(browser, page: Path, words) -> list[str]:
    png = page.with_name(f'docs-check-{page.stem}.png')
    dom = render(browser, page, png)
    text = ' '.join(html.unescape(re.sub(r'<[^>]+>', '', dom)).split())  # what a reader sees, as one line
    problems = []
    stat = ImageStat.Stat(Image.open(png).convert('L'))
    if stat.stddev[0] < 5: problems.append(f'{page.name}: the page looks blank (pixel std {stat.stddev[0]:.1f})')
    for bad in ('Traceback (most recent call last)', 'Error in notebook'):
        if bad in text: problems.append(f'{page.name}: shows a traceback ({bad!r})')
    problems += [f'{page.name}: does not show {w!r}' for w in words if w not in text]
    print(f'{page.name}: screenshot {png} (pixel std {stat.stddev[0]:.1f}), {len(dom)} characters of DOM')
    return problems


def _defined_in(mod, name) -> bool:
    "A function or class the module itself defines (not a constant, not an import)"
    obj = getattr(mod, name)
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == mod.__name__


def missing_cards(site: Path) -> list[str]:
    "Every name a module exports has its card (a rubric with its name) on the module's page"
    problems = []
    for nb in sorted((Path(__file__).resolve().parent.parent / 'nbs').glob('*.ipynb')):
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        exp = next((m[1] for c in cells if c['cell_type'] == 'code' for m in [re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)] if m), None)
        page = site / f'{nb.stem}.html'
        if not exp: continue
        if not page.exists(): problems.append(f'{page}: the page of clippings.{exp} is not built (run make docs)'); continue
        shown = set(re.findall(r'<p class="rubric" id="[^"]*">(?:<span id="[^"]*"></span>)?([\w.]+)</p>', page.read_text(encoding='utf-8')))
        mod = importlib.import_module(f'clippings.{exp}')
        problems += [f'{page.name}: no card for clippings.{exp}.{name}' for name in mod.__all__
                     if _defined_in(mod, name) and name not in shown]
    return problems


def main(site='_build/html'):
    site, browser = Path(site).resolve(), chromium()
    problems = missing_cards(site)
    for name, words in MUST_SHOW.items():
        page = site / name
        if not page.exists(): problems.append(f'{page}: not built (run make docs)'); continue
        problems += check_page(browser, page, words)
    if problems: sys.exit('docs-check failed:\n  ' + '\n  '.join(problems))
    print('docs-check: the site shows the project and the records API')


if __name__ == '__main__': main(*sys.argv[1:])
