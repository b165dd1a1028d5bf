#!/usr/bin/env node
// check.mjs opens static HTML pages from the file system in headless
// Chromium, waits until they have rendered, reports every problem and writes
// a PNG screenshot of each page.
//
// Usage:
//   node scripts/browser/check.mjs [--expect SELECTOR]... [--forbid SELECTOR]...
//     [--screenshot OUT.png | --screenshot-dir DIR] [--width PX] [--height PX]
//     [--timeout-ms MS] [--eval EXPRESSION]... PAGE.html...
//
//   --expect SELECTOR    a CSS selector that must match on every page; the
//                        check waits for it (repeatable).
//   --forbid SELECTOR    a CSS selector that must not match once the page has
//                        rendered (repeatable).
//   --screenshot FILE    where to write the PNG; only with a single page.
//   --screenshot-dir DIR write DIR/<page name>.png for each page.
//                        Without either, PAGE.png is written next to PAGE.html.
//   --width PX           viewport width (default 1280); the screenshot covers
//                        the full height of the page.
//   --height PX          viewport height (default 800).
//   --timeout-ms MS      how long to wait for a page to load and all
//                        expected selectors to match (default 20000).
//   --eval EXPRESSION    a JavaScript expression evaluated in each page once
//                        it has rendered; its value, as JSON, is printed on
//                        stdout as "eval PAGE: JSON" (repeatable, in order),
//                        for tests that measure what the page drew.
//
// A page counts as rendered when the network is idle and every --expect
// selector matches. The check is offline: only file:, data: and blob: URLs
// load; any other request is blocked and reported.
//
// Problems, one line each on stderr, in the form "PAGE: problem":
//   a console error, an uncaught page error, a failed or blocked request,
//   an expected selector that never matched, a forbidden selector that
//   matched, a page that did not load.
// On success each page prints "ok PAGE -> SCREENSHOT" on stdout.
//
// Exit status: 0 when no page has a problem, 1 when any page has one, 2 for a
// usage error or when Chromium cannot be started.
//
// Chromium: $CHROMIUM if set, else /usr/bin/chromium, else the first of
// chromium, chromium-browser, google-chrome on $PATH. One browser serves all
// pages; each page gets a fresh context. It drives Chromium with the pinned
// playwright-core in scripts/browser/node_modules: run
// scripts/browser/setup.sh once before (render-comment.sh does).

import { existsSync, mkdirSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const usage = 'usage: check.mjs [--expect SELECTOR]... [--forbid SELECTOR]... ' +
  '[--screenshot OUT.png | --screenshot-dir DIR] [--width PX] [--height PX] ' +
  '[--timeout-ms MS] [--eval EXPRESSION]... PAGE.html...';

// chromiumFlags keep a headless Chromium quiet on a closed network: without
// the background-networking flags it tries to reach Google's services.
const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function parseArgs(argv) {
  const opts = {
    expect: [], forbid: [], evals: [], screenshot: '', screenshotDir: '',
    widthPx: 1280, heightPx: 800, timeoutMs: 20000, pages: [],
  };
  const positive = (flag, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`${flag} ${JSON.stringify(value)}: want a positive whole number`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg}: missing value`);
      return argv[++i];
    };
    switch (arg) {
      case '--expect': opts.expect.push(value()); break;
      case '--forbid': opts.forbid.push(value()); break;
      case '--eval': opts.evals.push(value()); break;
      case '--screenshot': opts.screenshot = value(); break;
      case '--screenshot-dir': opts.screenshotDir = value(); break;
      case '--width': opts.widthPx = positive(arg, value()); break;
      case '--height': opts.heightPx = positive(arg, value()); break;
      case '--timeout-ms': opts.timeoutMs = positive(arg, value()); break;
      case '-h': case '--help': throw new Error(usage);
      default:
        if (arg.startsWith('--')) throw new Error(`unknown flag ${arg}`);
        opts.pages.push(arg);
    }
  }
  if (opts.pages.length === 0) throw new Error('no pages given');
  if (opts.screenshot && opts.screenshotDir) {
    throw new Error('--screenshot and --screenshot-dir exclude each other');
  }
  if (opts.screenshot && opts.pages.length > 1) {
    throw new Error(`--screenshot names one file but ${opts.pages.length} pages were given: use --screenshot-dir`);
  }
  for (const page of opts.pages) {
    if (!existsSync(page)) throw new Error(`page ${JSON.stringify(page)}: no such file`);
  }
  return opts;
}

function findChromium(env) {
  if (env.CHROMIUM) return env.CHROMIUM;
  const candidates = ['/usr/bin/chromium'];
  for (const dir of (env.PATH || '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      candidates.push(path.join(dir, name));
    }
  }
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not this one
    }
  }
  return '';
}

function screenshotPath(opts, page) {
  if (opts.screenshot) return opts.screenshot;
  const name = path.basename(page).replace(/\.html?$/i, '') + '.png';
  if (opts.screenshotDir) return path.join(opts.screenshotDir, name);
  return path.join(path.dirname(page), name);
}

function allowedURL(url) {
  return url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:') ||
    url === 'about:blank';
}

// checkPage returns the problems found on one page, each a sentence.
async function checkPage(browser, opts, page) {
  const problems = [];
  const context = await browser.newContext({
    viewport: { width: opts.widthPx, height: opts.heightPx },
    deviceScaleFactor: 1,
    offline: true,
  });
  try {
    const tab = await context.newPage();
    tab.on('console', (msg) => {
      // A failed load is reported once, by the requestfailed handler.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        const loc = msg.location();
        const where = loc && loc.url ? ` (${path.basename(loc.url)}:${loc.lineNumber + 1})` : '';
        problems.push(`console error: ${msg.text()}${where}`);
      }
    });
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    tab.on('requestfailed', (req) => {
      const reason = req.failure() ? req.failure().errorText : 'failed';
      problems.push(`request failed: ${req.url()} (${reason})`);
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (allowedURL(url)) return route.continue();
      return route.abort('blockedbyclient');
    });

    const url = pathToFileURL(path.resolve(page)).href;
    const deadline = Date.now() + opts.timeoutMs;
    try {
      await tab.goto(url, { waitUntil: 'networkidle', timeout: opts.timeoutMs });
    } catch (err) {
      problems.push(`did not load: ${firstLine(err.message)}`);
      return problems;
    }
    for (const selector of opts.expect) {
      try {
        const timeout = Math.max(1, deadline - Date.now());
        await tab.waitForSelector(selector, { state: 'attached', timeout });
      } catch {
        problems.push(`expected selector ${JSON.stringify(selector)} not found within ${opts.timeoutMs} ms`);
      }
    }
    for (const selector of opts.forbid) {
      const n = await tab.locator(selector).count();
      if (n > 0) problems.push(`forbidden selector ${JSON.stringify(selector)} matched ${n} time(s)`);
    }
    for (const expression of opts.evals) {
      try {
        const value = await tab.evaluate((src) => JSON.stringify((0, eval)(src)), expression);
        process.stdout.write(`eval ${page}: ${value}\n`);
      } catch (err) {
        problems.push(`eval ${JSON.stringify(expression)} failed: ${firstLine(err.message)}`);
      }
    }
    const out = screenshotPath(opts, page);
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    await tab.screenshot({ path: out, fullPage: true });
    if (problems.length === 0) process.stdout.write(`ok ${page} -> ${out}\n`);
  } finally {
    await context.close();
  }
  return problems;
}

function firstLine(text) {
  return String(text).split('\n')[0];
}

async function main(argv, env) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`check.mjs: ${err.message}\n`);
    return 2;
  }
  const executablePath = findChromium(env);
  if (!executablePath) {
    process.stderr.write('check.mjs: no Chromium found: set CHROMIUM or install chromium (apt-get install chromium)\n');
    return 2;
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    process.stderr.write(`check.mjs: playwright-core is not installed: run scripts/browser/setup.sh (${firstLine(err.message)})\n`);
    return 2;
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: chromiumFlags });
  } catch (err) {
    process.stderr.write(`check.mjs: cannot start ${executablePath}: ${firstLine(err.message)}\n`);
    return 2;
  }
  let failed = 0;
  try {
    for (const page of opts.pages) {
      let problems;
      try {
        problems = await checkPage(browser, opts, page);
      } catch (err) {
        problems = [`check failed: ${firstLine(err.message)}`];
      }
      for (const p of problems) process.stderr.write(`${page}: ${p}\n`);
      if (problems.length > 0) failed++;
    }
  } finally {
    await browser.close();
  }
  if (failed > 0) {
    process.stderr.write(`check.mjs: ${failed} of ${opts.pages.length} page(s) have problems\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2), process.env);
