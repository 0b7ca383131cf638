// Checks a notebook that uses the mav package (test/Python/Inputs/
// models.ipynb), executed and exported by nbconvert, opened alone in
// Debian's chromium as nbviewer would show it: no kernel, no network.
//   node test/browser/notebook.js EXPORTED.html
// Every mav output is an <iframe srcdoc> (mav/_display.py): the pages
// (resnet18, a BERT built from its config, the half-written model) and the
// portable figure. Prints one `PASS: ...` line per check and exits non-zero
// at the first failure.
'use strict';

const path = require('path');
const { runBrowserTest, openPage, check } = require('./browser');

const [htmlPath] = process.argv.slice(2);
if (!htmlPath) {
  console.error('usage: node notebook.js EXPORTED.html');
  process.exit(2);
}

// The mav pages among the frames, in document order, once drawn.
async function pageFrames(page) {
  const frames = [];
  for (const handle of await page.$$('iframe[title="mav"]')) {
    const frame = await handle.contentFrame();
    await handle.scrollIntoViewIfNeeded();
    frames.push({ handle, frame });
  }
  return frames;
}

async function drawn(frame) {
  return frame.evaluate(async () => {
    if (document.getElementById('mav-figure')) {
      const fig = document.getElementById('mav-figure');
      return { kind: 'figure',
               points: fig.querySelectorAll('.scatterlayer .point').length };
    }
    const app = window.mavApp;
    if (!app) return { kind: 'none' };
    await app.ready;
    const nodes = Array.from({ length: app.nodeCount }, (_, i) => app.node(i));
    return {
      kind: 'page', title: document.querySelector('.mav-title').textContent,
      nodes: nodes.length,
      points: document.querySelectorAll(
        '#mav-main .scatterlayer .trace:nth-child(2) .point').length,
      failed: nodes.map((n, i) => ({ i, n })).filter((e) => e.n.status === 'failed')
                   .map((e) => ({ index: e.i, name: e.n.name, color: e.n.color })),
      notRun: nodes.filter((n) => n.status === 'not-run').length,
    };
  });
}

runBrowserTest(async (browser) => {
  const problems = [];
  // nbconvert's template (not mav) loads require.js and MathJax from a
  // CDN; they are answered empty here, as an offline viewer would fail
  // them. Any other request leaving the file is a problem.
  const page = await openPage(browser, problems, /*offline=*/false, 900);
  await page.route(/^https?:/, (route) => {
    const url = route.request().url();
    const template = route.request().frame() === page.mainFrame() &&
        /cdnjs\.cloudflare\.com\/ajax\/libs\/(require|mathjax)/.test(url);
    if (!template) problems.push('network request: ' + url);
    return template ? route.fulfill({ status: 200, body: '' }) : route.abort();
  });
  await page.goto('file://' + path.resolve(htmlPath));
  const frames = await pageFrames(page);
  for (const f of frames) {
    await f.frame.waitForFunction(() => window.mavApp !== undefined ||
        document.querySelector('#mav-figure .scatterlayer') !== null,
        null, { timeout: 20000 });
    f.info = await drawn(f.frame);
  }
  const kinds = frames.map((f) => f.info.kind).join(',');
  check(kinds === 'page,figure,page,page',
        'the exported notebook holds three pages and one figure', kinds);
  check(problems.length === 0, 'no console errors and no network requests',
        problems);
  const pages = frames.filter((f) => f.info.kind === 'page');
  check(pages.every((f) => f.info.nodes > 0 && f.info.points === f.info.nodes),
        'every page draws all its nodes', pages.map((f) => f.info));
  const figure = frames.find((f) => f.info.kind === 'figure');
  check(figure.info.points > 0, 'the portable figure is drawn', figure.info);

  // Click a node of resnet18's page: its table row is highlighted.
  const resnet = pages[0];
  const target = await resnet.frame.evaluate(() => {
    const app = window.mavApp;
    for (let i = 1; i < app.nodeCount; ++i) {
      const n = app.node(i);
      if (!n.parent && n.op !== 'output') return { index: i };
    }
    return { index: -1 };
  });
  // The point's marker, scrolled into view and stable, clicked where it is
  // drawn (`force`: Plotly's drag layer above it takes the click, as for a
  // user).
  await resnet.frame.locator('#mav-main .scatterlayer .trace:nth-child(2) .point')
      .nth(target.index).click({ force: true });
  await resnet.frame.waitForFunction((i) => window.mavApp.state.selected === i,
                                     target.index, { timeout: 5000 });
  const row = await resnet.frame.evaluate(() => {
    const selected = document.querySelector('#mav-table tbody tr.mav-selected');
    return selected && Number(selected.dataset.node);
  });
  check(row === target.index, 'clicking a node highlights its table row',
        { target, row });

  // The half-written model: fc2 failed, drawn red, its error visible.
  const half = pages[2];
  const failed = half.info.failed;
  check(failed.length === 1 && failed[0].name === 'fc2' &&
        failed[0].color.toUpperCase() === '#FF0000' && half.info.notRun > 0,
        'the failed module of the half-written model is red, later ones not-run',
        half.info);
  const notice = await half.frame.evaluate(() => {
    const box = document.getElementById('mav-failure');
    if (!box) return null;
    const rect = box.getBoundingClientRect();
    return { text: box.textContent, visible: rect.width > 0 && rect.height > 0 };
  });
  check(notice && notice.visible &&
        notice.text.includes('mat1 and mat2 shapes cannot be multiplied'),
        'its error text is visible', notice);
  check(problems.length === 0, 'no console errors after the clicks', problems);
});
