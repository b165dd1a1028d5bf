#!/usr/bin/env bash
# render-comment.sh renders pull-request comments written in GitHub-flavoured
# markdown the way github.com shows them (a comment 780 px wide, GitHub's
# markdown stylesheet, tables, <details>, emoji, ```mermaid charts drawn by a
# pinned mermaid, offline), opens each page in headless Chromium and writes a
# PNG screenshot of it. It fails on any console or page error, any mermaid
# block that does not parse or that mermaid draws as a "Syntax error", and any
# request that leaves the file system.
#
# Usage: scripts/render-comment.sh [--out DIR] [--theme light|dark|both] FILE.md...
#   --out DIR     where the pages (FILE.html), their assets and the
#                 screenshots (FILE.png) go; default: a new temporary folder.
#   --theme T     GitHub's light theme (default), dark theme, or both (dark
#                 pages are FILE.dark.html and FILE.dark.png).
#
# Needs node (18 or later), npm and Chromium ($CHROMIUM, else
# /usr/bin/chromium). On first use, and whenever package-lock.json changes, it
# runs `npm ci` in scripts/browser (scripts/browser/setup.sh; node_modules
# there is not committed).
# Exit status: 0 all pages clean, 1 a page has a problem (one line each,
# naming the page), 2 a usage or setup error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
browser="$here/browser"
usage="usage: scripts/render-comment.sh [--out DIR] [--theme light|dark|both] FILE.md..."

out=""
theme=light
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || { echo "render-comment.sh: --out: missing value" >&2; exit 2; }; out=$2; shift 2 ;;
    --theme) [ $# -ge 2 ] || { echo "render-comment.sh: --theme: missing value" >&2; exit 2; }; theme=$2; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    --*) echo "render-comment.sh: unknown flag $1" >&2; echo "$usage" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
case "$theme" in
  light) themes=(light) ;;
  dark) themes=(dark) ;;
  both) themes=(light dark) ;;
  *) echo "render-comment.sh: --theme \"$theme\": want light, dark or both" >&2; exit 2 ;;
esac
if [ ${#files[@]} -eq 0 ]; then
  echo "render-comment.sh: no markdown files given" >&2; echo "$usage" >&2; exit 2
fi
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "render-comment.sh: \"$f\": no such file" >&2; exit 2; }
done
# grep reads the whole list: with -q it would stop at the first match and
# fc-list, killed by SIGPIPE, would fail the pipeline under pipefail.
if command -v fc-list >/dev/null && ! fc-list | grep -i "emoji" >/dev/null; then
  echo "render-comment.sh: warning: no colour emoji font installed (Debian: fonts-noto-color-emoji); emoji show as boxes in the screenshots" >&2
fi
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/vllm-bench-comment.XXXXXX")
mkdir -p "$out"

"$browser/setup.sh" || exit 2

pages=()
for t in "${themes[@]}"; do
  while IFS= read -r page; do pages+=("$page"); done < <(node "$browser/render.mjs" --out "$out" --theme "$t" "${files[@]}")
done
[ ${#pages[@]} -eq $(( ${#files[@]} * ${#themes[@]} )) ] || {
  echo "render-comment.sh: rendering the markdown failed" >&2; exit 2; }

# 830 px: the comment's frame (780 px of body, 16 px padding each side, a
# border) and the page's margin. A low viewport makes the full-page
# screenshot as tall as the comment.
node "$browser/check.mjs" \
  --expect 'body[data-rendered="done"]' \
  --forbid 'svg[aria-roledescription="error"]' \
  --screenshot-dir "$out" --width 830 --height 100 \
  "${pages[@]}"
