#!/usr/bin/env node
// render.mjs turns GitHub-flavoured markdown files into static HTML pages
// that look like a pull-request comment on github.com: a comment frame whose
// body is 780 px wide, GitHub's markdown stylesheet, GFM tables, raw HTML
// such as <details> and <sub>, emoji shortcodes, and ```mermaid blocks drawn
// in the page by a pinned mermaid, offline.
//
// Usage:
//   node scripts/browser/render.mjs --out DIR [--theme light|dark] FILE.md...
//
// For each FILE.md it writes DIR/FILE.html (DIR/FILE.dark.html with
// --theme dark) and prints the page's path. The pages load their stylesheet
// and mermaid from DIR/assets/, which it fills, so DIR can be moved or
// uploaded as a whole.
//
// In the page, each mermaid block is parsed and drawn in turn. A block that
// does not parse, or that mermaid draws as its "Syntax error" picture, is
// logged with console.error naming the markdown file and line and marked
// with a data-mermaid-error attribute; when all blocks are done the body gets
// data-rendered="done". check.mjs waits for that attribute and fails on
// console errors, so a broken chart fails the check.
//
// Emoji are drawn with the machine's "Noto Color Emoji" font when it has one
// (Debian: fonts-noto-color-emoji), as a Linux browser shows github.com.
//
// Text is 14 px, as in GitHub's comments (its stylesheet's 16 px is for
// README files). Line breaks follow GitHub's comments: a single newline inside a paragraph
// is a line break.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { full as emoji } from 'markdown-it-emoji';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, 'node_modules');

// commentBodyWidthPx is the width of a pull-request comment's body on
// github.com at a laptop's window size.
const commentBodyWidthPx = 780;

const assets = {
  'mermaid.min.js': path.join(modules, 'mermaid', 'dist', 'mermaid.min.js'),
  'github-markdown-light.css': path.join(modules, 'github-markdown-css', 'github-markdown-light.css'),
  'github-markdown-dark.css': path.join(modules, 'github-markdown-css', 'github-markdown-dark.css'),
  'render-page.js': path.join(here, 'render-page.js'),
};

const themes = {
  light: { css: 'github-markdown-light.css', mermaid: 'default', page: '#ffffff', frame: '#d0d7de', header: '#f6f8fa', text: '#1f2328', muted: '#59636e' },
  dark: { css: 'github-markdown-dark.css', mermaid: 'dark', page: '#0d1117', frame: '#3d444d', header: '#151b23', text: '#f0f6fc', muted: '#9198a1' },
};

function parseArgs(argv) {
  const opts = { out: '', theme: 'light', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg}: missing value`);
      return argv[++i];
    };
    switch (arg) {
      case '--out': opts.out = value(); break;
      case '--theme': opts.theme = value(); break;
      default:
        if (arg.startsWith('--')) throw new Error(`unknown flag ${arg}`);
        opts.files.push(arg);
    }
  }
  if (!opts.out) throw new Error('--out DIR is required');
  if (!themes[opts.theme]) throw new Error(`--theme ${JSON.stringify(opts.theme)}: want light or dark`);
  if (opts.files.length === 0) throw new Error('no markdown files given');
  return opts;
}

function escapeHTML(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function markdownRenderer(sourceName) {
  const md = new MarkdownIt({ html: true, linkify: true, breaks: true });
  md.use(emoji);
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token.info.trim().split(/\s+/)[0] !== 'mermaid') return fence(tokens, idx, options, env, self);
    const line = token.map ? token.map[0] + 1 : 0;
    return `<div class="mermaid-block" data-source="${escapeHTML(sourceName)}:${line}">` +
      `<pre class="mermaid-source"><code>${escapeHTML(token.content)}</code></pre></div>\n`;
  };
  return md;
}

function page(title, body, theme) {
  const t = themes[theme];
  return `<!doctype html>
<html lang="en" data-theme="${theme}" data-mermaid-theme="${t.mermaid}">
<head>
<meta charset="utf-8">
<title>${escapeHTML(title)}</title>
<link rel="stylesheet" href="assets/${t.css}">
<style>
  html, body { margin: 0; background: ${t.page}; }
  body { padding: 8px; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  .comment { width: ${commentBodyWidthPx + 32}px; border: 1px solid ${t.frame}; border-radius: 6px; }
  .comment-header { padding: 8px 16px; background: ${t.header}; border-bottom: 1px solid ${t.frame};
    border-radius: 6px 6px 0 0; font-size: 14px; color: ${t.muted}; }
  .comment-header b { color: ${t.text}; }
  .comment .markdown-body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji";
    font-size: 14px; padding: 16px; width: ${commentBodyWidthPx}px; box-sizing: content-box; }
  .mermaid-block { margin-bottom: 16px; }
  .mermaid-block svg { display: block; margin: 0 auto; }
</style>
</head>
<body>
<div class="comment">
<div class="comment-header"><b>github-actions</b> bot commented</div>
<div class="markdown-body">
${body}</div>
</div>
<script src="assets/mermaid.min.js"></script>
<script src="assets/render-page.js"></script>
</body>
</html>
`;
}

// copyFresh copies from to to unless to already has the same size and is
// not older.
function copyFresh(from, to) {
  if (existsSync(to)) {
    const [a, b] = [statSync(from), statSync(to)];
    if (a.size === b.size && b.mtimeMs >= a.mtimeMs) return;
  }
  copyFileSync(from, to);
}

function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`render.mjs: ${err.message}\nusage: render.mjs --out DIR [--theme light|dark] FILE.md...\n`);
    return 2;
  }
  const assetDir = path.join(opts.out, 'assets');
  mkdirSync(assetDir, { recursive: true });
  for (const [name, from] of Object.entries(assets)) copyFresh(from, path.join(assetDir, name));
  for (const file of opts.files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      process.stderr.write(`render.mjs: read ${JSON.stringify(file)}: ${err.message}\n`);
      return 1;
    }
    const name = path.basename(file).replace(/\.(md|markdown)$/i, '');
    const suffix = opts.theme === 'light' ? '' : `.${opts.theme}`;
    const out = path.join(opts.out, `${name}${suffix}.html`);
    const body = markdownRenderer(path.basename(file)).render(text);
    writeFileSync(out, page(path.basename(file), body, opts.theme));
    process.stdout.write(`${out}\n`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
