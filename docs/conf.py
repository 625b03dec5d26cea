"""Sphinx configuration of the clippings site, built from the processed notebooks (see tools/nbdocs.py)."""
from configparser import ConfigParser
from pathlib import Path

_cfg = ConfigParser(delimiters=['='])
_cfg.read(Path(__file__).resolve().parent.parent / 'settings.ini', encoding='utf-8')
_s = _cfg['DEFAULT']

project = _s['title']
author = _s['author']
copyright = _s['copyright']
release = _s['version']

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['_build', '**.ipynb_checkpoints']
html_theme = 'furo'
html_title = f"{_s['title']} {_s['version']}"

# Notebooks are shown with their committed outputs. A notebook opts in to execution at build time with the
# notebook metadata {"mystnb": {"execution_mode": "force"}}; an error while executing stops the build.
nb_execution_mode = 'off'
nb_execution_raise_on_error = True
nb_render_markdown_format = 'myst'
myst_enable_extensions = ['dollarmath', 'colon_fence']
myst_heading_anchors = 3
# show_doc output puts headings inside cell outputs; they are meant as API entries, not document sections.
suppress_warnings = ['myst.header', 'misc.highlighting_failure']
