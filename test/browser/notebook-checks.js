// The checks of a notebook that uses the mav package
// (test/Python/Inputs/models.ipynb), wherever it is shown: nbconvert's HTML
// export opened alone (notebook.js) or a live Jupyter front end
// (frontends.js). Every mav page is an <iframe srcdoc title="mav">
// (mav/_display.py): resnet18's page, a BERT built from its config and the
// half-written model. The portable figure is an iframe too, unless the
// front end draws Plotly's own MIME bundle (JupyterLab and Notebook 7 with
// plotly's extension), which is then the one Plotly plot outside them.
'use strict';

const { check } = require('./browser');

// The mav frames, in document order, once drawn; each with what it shows.
async function mavFrames(page) {
  const frames = [];
  for (const handle of await page.$$('iframe[title="mav"]')) {
    await handle.scrollIntoViewIfNeeded();
    const frame = await handle.contentFrame();
    await frame.waitForFunction(() => window.mavApp !== undefined ||
        document.querySelector('#mav-figure .scatterlayer') !== null,
        null, { timeout: 30000 });
    frames.push({ handle, frame, info: await drawn(frame) });
  }
  return frames;
}

function drawn(frame) {
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

// A Plotly figure drawn by the front end itself (not in a mav frame), or
// null: its number of points, or `image` when it shows the snapshot that
// plotly's JupyterLab extension saved with the notebook (what it shows of
// a saved output until the cell runs again).
async function nativeFigure(page) {
  const selector = '.jp-RenderedPlotly, .js-plotly-plot';
  if (await page.locator(selector).count() === 0) return null;
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  return page.evaluate((s) => {
    const plot = document.querySelector(s);
    return { points: plot.querySelectorAll('.scatterlayer .point').length,
             image: plot.querySelector('img.plot-img') !== null };
  }, selector);
}

// Runs every check on `page`, which shows the notebook's outputs;
// `problems` collects console errors and stray requests (the caller decides
// which count). `where` prefixes each check's message.
exports.checkNotebookOutputs = async function checkNotebookOutputs(page, problems, where = '') {
  const say = (text) => where + text;
  const frames = await mavFrames(page);
  const native = await nativeFigure(page);
  const kinds = frames.map((f) => f.info.kind).join(',');
  const expected = native ? 'page,page,page' : 'page,figure,page,page';
  check(kinds === expected, say('the notebook shows three pages and one figure'),
        { kinds, native });
  check(problems.length === 0, say('no console errors and no network requests'),
        problems);
  const pages = frames.filter((f) => f.info.kind === 'page');
  check(pages.every((f) => f.info.nodes > 0 && f.info.points === f.info.nodes),
        say('every page draws all its nodes'), pages.map((f) => f.info));
  const figure = frames.find((f) => f.info.kind === 'figure');
  check(figure ? figure.info.points > 0 : native.points > 0 || native.image,
        say('the portable figure is drawn'), figure ? figure.info : native);

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
  await resnet.handle.scrollIntoViewIfNeeded();
  await resnet.frame.locator('#mav-main .scatterlayer .trace:nth-child(2) .point')
      .nth(target.index).click({ force: true });
  await resnet.frame.waitForFunction((i) => window.mavApp.state.selected === i,
                                     target.index, { timeout: 5000 });
  const row = await resnet.frame.evaluate(() => {
    const selected = document.querySelector('#mav-table tbody tr.mav-selected');
    return selected && Number(selected.dataset.node);
  });
  check(row === target.index, say('clicking a node highlights its table row'),
        { target, row });

  // The half-written model: fc2 failed, drawn red, its error visible.
  const half = pages[2];
  const failed = half.info.failed;
  check(failed.length === 1 && failed[0].name === 'fc2' &&
        failed[0].color.toUpperCase() === '#FF0000' && half.info.notRun > 0,
        say('the failed module of the half-written model is red, later ones not-run'),
        half.info);
  await half.handle.scrollIntoViewIfNeeded();
  const notice = await half.frame.evaluate(() => {
    const box = document.getElementById('mav-failure');
    if (!box) return null;
    const rect = box.getBoundingClientRect();
    return { text: box.textContent, visible: rect.width > 0 && rect.height > 0 };
  });
  check(notice && notice.visible &&
        notice.text.includes('mat1 and mat2 shapes cannot be multiplied'),
        say('its error text is visible'), notice);
  check(problems.length === 0, say('no console errors after the clicks'), problems);
};
