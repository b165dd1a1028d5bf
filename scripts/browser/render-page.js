// render-page.js runs inside a page written by render.mjs: it draws every
// mermaid block with the page's mermaid theme, reports each block that fails
// with console.error (naming the markdown file and line), marks it with
// data-mermaid-error, and finally sets data-rendered="done" on the body.
(async function renderMermaid() {
  const blocks = Array.from(document.querySelectorAll('.mermaid-block'));
  const fail = (block, message) => {
    block.setAttribute('data-mermaid-error', message);
    console.error(`mermaid chart at ${block.dataset.source}: ${message}`);
  };
  try {
    if (blocks.length > 0) {
      if (typeof mermaid === 'undefined') throw new Error('mermaid did not load');
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        theme: document.documentElement.dataset.mermaidTheme || 'default',
      });
    }
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i];
      const code = block.querySelector('code').textContent;
      try {
        await mermaid.parse(code);
      } catch (err) {
        fail(block, `does not parse: ${String(err && err.message || err).split('\n').slice(0, 4).join(' ')}`);
        continue;
      }
      try {
        const { svg } = await mermaid.render(`mermaid-chart-${i + 1}`, code);
        block.innerHTML = svg;
      } catch (err) {
        fail(block, `does not render: ${String(err && err.message || err).split('\n')[0]}`);
        continue;
      }
      const drawn = block.querySelector('svg');
      if (!drawn) {
        fail(block, 'drew no picture');
      } else if (drawn.getAttribute('aria-roledescription') === 'error' || /Syntax error/i.test(drawn.textContent)) {
        fail(block, 'drawn as a syntax error');
      }
    }
  } catch (err) {
    console.error(`mermaid: ${err && err.message || err}`);
  } finally {
    await document.fonts.ready;
    document.body.dataset.mermaidCharts = String(blocks.length);
    document.body.dataset.rendered = 'done';
  }
})();
