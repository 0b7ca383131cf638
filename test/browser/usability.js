// What a user meets first on a `mav-render --html` page, one scenario per
// run (issue: the page's user-facing defects):
//   node test/browser/usability.js SCENARIO PAGE.html [ARG...]
// Scenarios:
//   first-view PAGE whole|top|N  opens on the whole model, its top, or N levels
//   table-fit PAGE W H       every column visible at W x H, names cut with a title
//   legend PAGE              legend by operation and colour bar by count
//   horizontal PAGE          a right/left layout gets wide panels
//   select PAGE              a click keeps the view's side; Escape clears
//   search PAGE              incremental search with count, back and forth
//   slider PAGE              slider keys, and a two-handle window
//   export PAGE OUT_DIR CLI  SVG and PNG of the whole graph with its legend,
//                            the same as CLI.K.svg from mav-render --svg
//   no-network PAGE          without plotly.js the table is still there
//   redraws PAGE             a click redraws the graph once
// Prints one `PASS: ...` line per check and exits non-zero at the first
// failure.
'use strict';

const path = require('path');
const fs = require('fs');
const { runBrowserTest, collectProblems, check } = require('./browser');

const [scenario, pagePath, ...rest] = process.argv.slice(2);
if (!scenario || !pagePath) {
  console.error('usage: node usability.js SCENARIO PAGE.html [ARG...]');
  process.exit(2);
}

async function open(browser, { width = 1400, height = 850, offline = true,
                               wait = true } = {}) {
  const problems = [];
  const page = await browser.newPage({ viewport: { width, height },
                                       acceptDownloads: true });
  collectProblems(page, problems, offline);
  page.on('dialog', (dialog) => {
    problems.push('dialog: ' + dialog.message());
    dialog.dismiss();
  });
  await page.goto('file://' + path.resolve(pagePath));
  if (wait) {
    await page.waitForFunction(() => window.mavApp !== undefined);
    await page.evaluate(() => window.mavApp.ready);
  }
  return { page, problems };
}

// In the page: pixel position of node i in the main graph, relative to the
// viewport.
function nodePixelInPage(i) {
  const app = window.mavApp, layout = app.main._fullLayout;
  const box = app.main.getBoundingClientRect();
  const n = app.spec.nodes;
  return [box.left + layout.xaxis._offset + layout.xaxis.r2p(n.x[i]),
          box.top + layout.yaxis._offset + layout.yaxis.r2p(n.y[i])];
}

async function defineHelpers(page) {
  await page.evaluate(`window.nodePixel = ${nodePixelInPage.toString()}`);
}

const scenarios = {};

scenarios['first-view'] = async (browser) => {
  const expect = rest[0] || 'whole';
  const { page, problems } = await open(browser);
  const info = await page.evaluate(() => {
    const app = window.mavApp, spec = app.spec, view = app.getMainView();
    const n = spec.nodes, layout = app.main._fullLayout;
    const inside = n.x.filter((x, i) => x >= view.x[0] && x <= view.x[1] &&
                                        n.y[i] >= view.y[0] && n.y[i] <= view.y[1]).length;
    const xs = n.x.map((x) => layout.xaxis.r2p(x));
    return { nodes: n.x.length, inside, view, bounds: spec.bounds,
             pxPerLevel: layout.yaxis._length / (view.y[1] - view.y[0]),
             graphPx: Math.max(...xs) - Math.min(...xs), panelPx: layout.xaxis._length,
             columns: spec.bounds.x[1] - spec.bounds.x[0] - 1 };
  });
  if (expect === 'whole') {
    check(info.inside === info.nodes && info.view.y[0] <= info.bounds.y[0] + 1e-6 &&
          info.view.y[1] >= info.bounds.y[1] - 1e-6,
          'the first view shows the whole model when it fits', info);
    check(info.pxPerLevel >= 10, 'at a density where nodes are told apart', info.pxPerLevel);
  } else if (/^\d+$/.test(expect)) {
    check(Math.abs(info.view.y[0] - info.bounds.y[0]) < 1e-6 &&
          Math.abs(info.view.y[1] - info.view.y[0] - Number(expect)) < 1e-6,
          `--levels-shown=${expect} opens on the first ${expect} levels`, info.view);
  } else {
    check(info.view.y[0] <= info.bounds.y[0] + 1e-6 && info.view.y[1] < info.bounds.y[1] &&
          info.pxPerLevel >= 12 && info.pxPerLevel <= 24,
          'a long model opens on its top at a readable density', info);
  }
  // Columns 100-120 px apart: the graph is neither squeezed nor stretched.
  check(info.graphPx >= Math.min(info.panelPx * 0.9, info.columns * 100) &&
        info.graphPx <= info.columns * 120 + 1,
        'the graph is spread across the panel', info);
  check(problems.length === 0, 'no console errors', problems);
};

scenarios['table-fit'] = async (browser) => {
  const width = Number(rest[0] || 1400), height = Number(rest[1] || 850);
  const { page, problems } = await open(browser, { width, height });
  const info = await page.evaluate(() => {
    const table = window.mavApp.table, box = table.getBoundingClientRect();
    const visibleRight = box.left + table.clientWidth;
    const headers = Array.from(table.querySelectorAll('thead th')).map((th) => ({
      text: th.textContent, right: th.getBoundingClientRect().right }));
    const cut = Array.from(table.querySelectorAll('tbody tr[data-node] td'))
      .filter((td) => td.scrollWidth > td.clientWidth);
    const numbers = Array.from(table.querySelectorAll('tbody tr[data-node]'))[1];
    return { visibleRight, windowWidth: window.innerWidth, headers,
             hidden: headers.filter((h) => h.right > visibleRight + 1).map((h) => h.text),
             scroll: table.scrollWidth - table.clientWidth,
             cutWithTitle: cut.filter((td) => td.title === td.textContent).length,
             cut: cut.length,
             align: Array.from(numbers.cells).map((td) => getComputedStyle(td).textAlign) };
  });
  check(info.hidden.length === 0 && info.scroll <= 1 && info.visibleRight <= info.windowWidth,
        `every column is visible at ${width}x${height}`, info);
  check(info.cut === info.cutWithTitle, 'a cut cell shows its whole text on hover', info);
  check(info.align[3] === 'right' && info.align[4] === 'right', 'numbers are right-aligned',
        info.align);
  // Dragging the handle right narrows the table and widens the graph;
  // dragging it back left widens the table again, up to what its columns
  // need.
  const sizes = () => page.evaluate(() => ({
    table: window.mavApp.table.getBoundingClientRect().width,
    main: window.mavApp.main.getBoundingClientRect().width,
    plot: window.mavApp.main._fullLayout.width,
    cut: Array.from(window.mavApp.table.querySelectorAll('tbody td'))
      .filter((td) => td.scrollWidth > td.clientWidth).length }));
  const drag = async (dx) => {
    const handle = await page.locator('.mav-resizer').boundingBox();
    await page.mouse.move(handle.x + 2, handle.y + 200);
    await page.mouse.down();
    await page.mouse.move(handle.x + 2 + dx, handle.y + 200, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(300);
    return sizes();
  };
  const before = await sizes();
  const narrowed = await drag(120);
  const widened = await drag(-400);
  check(narrowed.table < before.table - 50 && narrowed.main > before.main + 50 &&
        Math.abs(narrowed.plot - narrowed.main) <= 2 &&
        widened.table > narrowed.table + 50 && widened.cut === 0 &&
        Math.abs(widened.plot - widened.main) <= 2,
        'the handle resizes the table and the graph takes the rest',
        { before, narrowed, widened });
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.legend = async (browser) => {
  const { page, problems } = await open(browser);
  const info = await page.evaluate(() => {
    const app = window.mavApp, n = app.spec.nodes;
    const ops = new Map();
    n.op.forEach((op, i) => ops.set(op + '|' + n.color[i], (ops.get(op + '|' + n.color[i]) || 0) + 1));
    const entries = Array.from(app.legend.querySelectorAll('.mav-legend-entry')).map((e) => ({
      op: e.querySelector('.mav-legend-op').textContent,
      count: Number(e.querySelector('.mav-legend-count').textContent),
      color: e.querySelector('.mav-swatch').style.backgroundColor }));
    const toRgb = (hex) => 'rgb(' + [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)).join(', ') + ')';
    const wrong = entries.filter((e) => {
      const key = Array.from(ops.keys()).find((k) => k.startsWith(e.op + '|') &&
                                                      toRgb(k.split('|')[1]) === e.color);
      return !key || ops.get(key) !== e.count;
    });
    return { kinds: ops.size, entries: entries.length, wrong,
             visible: app.legend.getBoundingClientRect().height > 10 };
  });
  check(info.visible && info.entries === info.kinds && info.wrong.length === 0,
        'the legend lists every operation with its colour and count', info);
  // A click on an entry rings its nodes and marks their rows.
  const picked = await page.evaluate(async () => {
    const app = window.mavApp, n = app.spec.nodes;
    const entry = app.legend.querySelectorAll('.mav-legend-entry')[1];
    const op = entry.querySelector('.mav-legend-op').textContent;
    entry.click();
    await new Promise((r) => setTimeout(r, 200));
    const ringed = app.state.marks.highlighted;
    const rows = Array.from(app.table.querySelectorAll('tbody tr[data-node]'));
    const marked = rows.filter((r) => r.classList.contains('mav-match'));
    return { op, ringed, expected: n.op.filter((o) => o === op).length,
             marked: marked.length,
             markedRight: marked.every((r) => n.op[Number(r.dataset.node)] === op),
             renderedOfOp: rows.filter((r) => n.op[Number(r.dataset.node)] === op).length,
             active: (app.legend.querySelector('.mav-legend-entry.mav-active') || {}).textContent
               ? app.legend.querySelector('.mav-active .mav-legend-op').textContent : null };
  });
  check(picked.ringed === picked.expected && picked.markedRight &&
        picked.marked === picked.renderedOfOp && picked.active === picked.op,
        'clicking a legend entry highlights its nodes in the graph and the table', picked);
  // Coloured by a count: a colour bar with the count's range, and the
  // table's dots in the graph's colours.
  const bar = await page.evaluate(async () => {
    const app = window.mavApp, states = app.spec.menu.states;
    const k = states.findIndex((s) => s.color === 'flops');
    app.menu.value = String(k);
    app.menu.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 300));
    const labels = ['.mav-colorbar-low', '.mav-colorbar-high'].map((c) =>
      (app.legend.querySelector(c) || {}).textContent);
    const barEl = app.legend.querySelector('.mav-colorbar');
    const rows = Array.from(app.table.querySelectorAll('tbody tr[data-node]'));
    const dots = rows.map((r) => r.querySelector('.mav-swatch').style.backgroundColor);
    const expected = rows.map((r) => {
      const c = app.nodeColor(Number(r.dataset.node));
      const m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(c.replace(/\s/g, ''));
      return m ? `rgb(${m[1]}, ${m[2]}, ${m[3]})` : c;
    });
    return { labels, range: states[k].colorRangeText,
             gradient: barEl ? getComputedStyle(barEl).backgroundImage : '',
             entries: app.legend.querySelectorAll('.mav-legend-entry').length,
             dotsMatch: dots.every((d, i) => d === expected[i]),
             distinctDots: new Set(dots).size, sample: [dots[1], expected[1]] };
  });
  check(bar.labels.join() === bar.range.join() && bar.gradient.startsWith('linear-gradient') &&
        bar.entries === 0,
        'colouring by FLOPS shows a colour bar with its range', bar);
  check(bar.dotsMatch && bar.distinctDots > 1, "the table's dots follow the colouring", bar);
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.horizontal = async (browser) => {
  const { page, problems } = await open(browser);
  const info = await page.evaluate(() => {
    const app = window.mavApp;
    const rect = (e) => { const b = e.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
    const view = app.getMainView(), layout = app.main._fullLayout;
    return { levelAxis: app.spec.levelAxis, slider: rect(app.slider.element),
             overview: rect(app.overview), main: rect(app.main),
             pxPerColumn: layout.yaxis._length / (view.y[1] - view.y[0]) };
  });
  check(info.levelAxis === 'x', 'the page is laid out left to right', info.levelAxis);
  check(info.slider.w > 10 * info.slider.h, 'the slider is horizontal', info.slider);
  check(info.overview.w > 3 * info.overview.h && info.overview.y + info.overview.h <= info.main.y + 1,
        'the overview is wide, above the main graph', info);
  check(info.pxPerColumn <= 121, 'lanes are not stretched over the panel', info.pxPerColumn);
  // The slider moves the view along x.
  const moved = await page.evaluate(async () => {
    const app = window.mavApp, before = app.getMainView();
    app.slider.move(before.x[0] + 5, before.x[0] + 25);
    await new Promise((r) => setTimeout(r, 200));
    return { before: before.x, after: app.getMainView().x };
  });
  check(Math.abs(moved.after[0] - moved.before[0] - 5) < 1e-6 &&
        Math.abs(moved.after[1] - moved.after[0] - 20) < 1e-6,
        'the slider scrolls sideways', moved);
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.select = async (browser) => {
  const { page, problems } = await open(browser);
  await defineHelpers(page);
  // A node of the second column, brought on screen.
  const target = await page.evaluate(async () => {
    const app = window.mavApp, n = app.spec.nodes;
    for (let i = 0; i < n.x.length; i++) {
      if (n.x[i] >= 1 && n.parent[i] === null) {
        // 20 levels, the node a third down: a click has room to centre it.
        const view = app.getMainView();
        await app.setMainView({ x: view.x, y: [n.y[i] - 20 / 3, n.y[i] + 40 / 3] });
        return { i, view: app.getMainView(), pixel: window.nodePixel(i) };
      }
    }
    return null;
  });
  check(target !== null, 'the model has a node in its second column', target);
  await page.mouse.click(target.pixel[0], target.pixel[1]);
  // The node under the pointer: a merged sub-node may sit over the target.
  await page.waitForFunction(() => window.mavApp.state.selected >= 0);
  await page.waitForTimeout(300);
  target.i = await page.evaluate(() => window.mavApp.state.selected);
  const after = await page.evaluate((i) => {
    const app = window.mavApp, view = app.getMainView();
    const win = app.overview.querySelector('.mav-overview-window').getBoundingClientRect();
    const panel = app.overview.getBoundingClientRect();
    return { view, y: app.spec.nodes.y[i],
             windowInside: win.left >= panel.left - 1 && win.right <= panel.right + 1 };
  }, target.i);
  check(Math.abs(after.view.x[0] - target.view.x[0]) < 1e-6 &&
        Math.abs(after.view.x[1] - target.view.x[1]) < 1e-6,
        'clicking a node on screen does not move the view sideways', { before: target.view, after });
  check(Math.abs((after.view.y[0] + after.view.y[1]) / 2 - after.y) < 1e-6,
        'it centres the node along the levels', after);
  check(after.windowInside, 'the overview window stays in its panel', after);
  const ring = await page.evaluate((i) => {
    const canvas = document.querySelector('#mav-main .mav-mark-canvas');
    const box = canvas.getBoundingClientRect(), p = window.nodePixel(i);
    const ratio = canvas.width / box.width;
    const at = (dx) => canvas.getContext('2d').getImageData(
      Math.round((p[0] - box.left + dx) * ratio), Math.round((p[1] - box.top) * ratio), 1, 1).data;
    return { onRing: Array.from(at(14)), inside: Array.from(at(0)) };
  }, target.i);
  check(ring.onRing[3] > 128 && ring.onRing[0] < 64 && ring.inside[3] === 0,
        'the selected node is ringed in black', ring);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  const cleared = await page.evaluate(() => ({
    selected: window.mavApp.state.selected, outline: window.mavApp.state.marks.outline,
    rows: window.mavApp.table.querySelectorAll('tr.mav-selected').length }));
  check(cleared.selected === -1 && cleared.outline === null && cleared.rows === 0,
        'Escape clears the selection', cleared);
  // Select again, then click the graph's background.
  await page.evaluate((i) => window.mavApp.selectNode(i), target.i);
  await page.waitForTimeout(300);
  const empty = await page.evaluate(() => {
    const app = window.mavApp, box = app.main.getBoundingClientRect();
    return [box.left + box.width * 0.85, box.top + box.height * 0.9];
  });
  await page.mouse.click(empty[0], empty[1]);
  await page.waitForTimeout(300);
  const background = await page.evaluate(() => ({
    selected: window.mavApp.state.selected, outline: window.mavApp.state.marks.outline }));
  check(background.selected === -1 && background.outline === null,
        'a click on empty space clears the selection', background);
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.search = async (browser) => {
  const { page, problems } = await open(browser);
  const placeholder = await page.evaluate(() => {
    const input = window.mavApp.search, style = getComputedStyle(input);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    return { text: input.placeholder, needed: context.measureText(input.placeholder).width,
             room: input.clientWidth - parseFloat(style.paddingLeft) -
                   parseFloat(style.paddingRight) - 20 };
  });
  check(placeholder.text.length > 0 && placeholder.needed <= placeholder.room,
        'the placeholder fits the box', placeholder);
  await page.click('#mav-search');
  await page.keyboard.type('conv');
  // No Enter: the matches show as the user types.
  await page.waitForFunction(() => window.mavApp.state.selected >= 0, null, { timeout: 3000 })
    .catch(() => {});
  const typed = await page.evaluate(() => {
    const app = window.mavApp, n = app.spec.nodes;
    const matches = n.name.map((name, i) => i).filter((i) =>
      n.name[i].toLowerCase().includes('conv') || n.op[i].toLowerCase().includes('conv'));
    const rows = Array.from(app.table.querySelectorAll('tbody tr[data-node]'));
    return { status: document.getElementById('mav-search-status').textContent,
             matches: matches.length, first: matches[0], selected: app.state.selected,
             ringed: app.state.marks.highlighted,
             marked: rows.filter((r) => r.classList.contains('mav-match')).length,
             renderedMatches: rows.filter((r) => matches.includes(Number(r.dataset.node))).length };
  });
  check(typed.selected === typed.first && typed.status === `1 of ${typed.matches}`,
        'search finds matches as the user types, with a count', typed);
  check(typed.ringed === typed.matches && typed.marked === typed.renderedMatches &&
        typed.marked > 0, 'matches are highlighted in the graph and the table', typed);
  await page.keyboard.press('Shift+Enter');
  await page.waitForTimeout(200);
  const back = await page.evaluate(() => document.getElementById('mav-search-status').textContent);
  check(back === `${typed.matches} of ${typed.matches}`, 'Shift+Enter steps backwards', back);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  const forward = await page.evaluate(() => document.getElementById('mav-search-status').textContent);
  check(forward === `2 of ${typed.matches}`, 'Enter steps forwards', forward);
  await page.keyboard.type('zzz-nothing');
  await page.waitForTimeout(400);
  const none = await page.evaluate(() => document.getElementById('mav-search-status').textContent);
  check(none === 'no match', 'a query without matches says so', none);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  const cleared = await page.evaluate(() => ({
    value: window.mavApp.search.value,
    status: document.getElementById('mav-search-status').textContent,
    ringed: window.mavApp.state.marks.highlighted,
    marked: window.mavApp.table.querySelectorAll('tr.mav-match').length }));
  check(cleared.value === '' && cleared.status === '' && cleared.ringed === 0 && cleared.marked === 0,
        'Escape clears the search and its highlights', cleared);
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.slider = async (browser) => {
  const { page, problems } = await open(browser);
  const view = () => page.evaluate(() => window.mavApp.getMainView().y);
  const start = await view();
  await page.focus('#mav-slider');
  await page.keyboard.press('PageDown');
  await page.waitForTimeout(200);
  const paged = await view();
  const span = start[1] - start[0];
  check(paged[0] > start[0] + span / 2 && Math.abs(paged[1] - paged[0] - span) < 1e-6,
        'PageDown moves the view down by about a window', { start, paged });
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(200);
  const stepped = await view();
  check(Math.abs(stepped[0] - paged[0] - 1) < 1e-6, 'ArrowDown moves it down a level',
        { paged, stepped });
  await page.keyboard.press('PageUp');
  await page.keyboard.press('ArrowUp');
  await page.waitForTimeout(200);
  const back = await view();
  check(Math.abs(back[0] - start[0]) < 1e-6, 'PageUp and ArrowUp move it back up', { start, back });
  await page.keyboard.press('End');
  await page.waitForTimeout(200);
  const end = await page.evaluate(() => ({ view: window.mavApp.getMainView().y,
                                           bounds: window.mavApp.spec.bounds.y }));
  check(Math.abs(end.view[1] - end.bounds[1]) < 1e-6, 'End shows the last levels', end);
  await page.keyboard.press('Home');
  await page.waitForTimeout(200);
  // Drag the lower handle down: more levels are shown, and the slider's
  // window is the main view.
  const handle = await page.locator('#mav-slider .mav-range-high').boundingBox();
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 120, { steps: 4 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const widened = await page.evaluate(() => ({ view: window.mavApp.getMainView().y,
                                               range: window.mavApp.slider.range() }));
  check(widened.view[1] - widened.view[0] > span + 5 &&
        Math.abs(widened.view[0] - widened.range[0]) < 1e-6 &&
        Math.abs(widened.view[1] - widened.range[1]) < 1e-6,
        'dragging a handle sets how many levels are visible', { span, widened });
  check(problems.length === 0, 'no console errors', problems);
};

scenarios.export = async (browser) => {
  const outDir = rest[0];
  fs.mkdirSync(outDir, { recursive: true });
  const { page, problems } = await open(browser);
  const [svgDownload] = await Promise.all([page.waitForEvent('download'),
                                           page.click('#mav-export-svg')]);
  const svgPath = path.join(outDir, 'page.svg');
  await svgDownload.saveAs(svgPath);
  const svg = fs.readFileSync(svgPath, 'utf8');
  const expected = await page.evaluate(() => ({
    nodes: window.mavApp.nodeCount, title: window.mavApp.spec.title,
    legend: window.mavApp.legend.querySelectorAll('.mav-legend-entry').length }));
  const circles = (svg.match(/<circle /g) || []).length;
  check(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trim().endsWith('</svg>'),
        'the SVG button saves an SVG document', svg.slice(0, 80));
  check(circles === expected.nodes + expected.legend,
        'the SVG holds every node and the legend', { circles, expected });
  check(svg.includes('Colour: operation') && svgDownload.suggestedFilename().endsWith('.svg'),
        'with the legend and a file name', svgDownload.suggestedFilename());
  check(!/<script|<img/i.test(svg) && svg.includes('&lt;img'), 'names are escaped in the SVG');
  const [pngDownload] = await Promise.all([page.waitForEvent('download'),
                                           page.click('#mav-export-png')]);
  const pngPath = path.join(outDir, 'page.png');
  await pngDownload.saveAs(pngPath);
  const png = fs.readFileSync(pngPath);
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  check(png.slice(1, 4).toString() === 'PNG' &&
        png.readUInt32BE(16) === 2 * Number(size[1]) && png.readUInt32BE(20) === 2 * Number(size[2]),
        'the PNG button saves the same picture at twice its size',
        { w: png.readUInt32BE(16), h: png.readUInt32BE(20), svg: size.slice(1) });
  // mav-render --svg writes the same picture, for each dropdown entry.
  for (let k = 0; k < 4; k++) {
    const cli = rest[1] ? fs.readFileSync(`${rest[1]}.${k}.svg`, 'utf8') : null;
    const fromPage = await page.evaluate((k) => {
      window.mavApp.menu.value = String(k);
      window.mavApp.menu.dispatchEvent(new Event('change'));
      return window.mavApp.buildSvg();
    }, k);
    let line = 0;
    if (cli !== fromPage) {
      const a = cli ? cli.split('\n') : [], b = fromPage.split('\n');
      while (line < b.length && a[line] === b[line]) line++;
      line = { line: line + 1, cli: (a[line] || '').slice(0, 200), page: (b[line] || '').slice(0, 200) };
    }
    check(cli === fromPage, `mav-render --svg --size-color=${k} draws the page's picture`, line);
  }
  check(problems.length === 0, 'no console errors', problems);
};

scenarios['no-network'] = async (browser) => {
  const { page, problems } = await open(browser, { offline: false, wait: false });
  await page.waitForTimeout(500);
  const info = await page.evaluate(() => ({
    message: (document.querySelector('#mav-no-graph') || {}).textContent || '',
    rows: document.querySelectorAll('#mav-table tbody tr[data-node]').length,
    nodes: JSON.parse(document.getElementById('mav-spec').textContent).nodes.name.length }));
  check(/plotly\.js could not be loaded/.test(info.message), 'the page says why the graph is missing',
        info.message);
  check(info.rows > 0 && info.rows <= info.nodes, 'and still shows the table', info);
  await page.locator('#mav-table tbody tr[data-node="2"]').click();
  const selected = await page.evaluate(() =>
    document.querySelector('#mav-table tr.mav-selected').dataset.node);
  check(selected === '2', 'a row click marks the row', selected);
  const errors = problems.filter((p) => !p.startsWith('network request') &&
                                        !/ERR_|Failed to load resource/.test(p));
  check(errors.length === 0, 'no script errors', problems);
};

scenarios.redraws = async (browser) => {
  const { page, problems } = await open(browser);
  const counts = await page.evaluate(async () => {
    const app = window.mavApp;
    let draws = 0;
    app.main.on('plotly_afterplot', () => draws++);
    const result = [];
    for (const i of [5, Math.floor(app.nodeCount / 2), app.nodeCount - 3]) {
      draws = 0;
      await app.selectNode(i);
      await new Promise((r) => setTimeout(r, 100));
      result.push(draws);
    }
    return result;
  });
  check(counts.every((c) => c <= 1) && counts.some((c) => c === 1),
        'selecting a node redraws the graph at most once', counts);
  check(problems.length === 0, 'no console errors', problems);
};

if (!scenarios[scenario]) {
  console.error('unknown scenario ' + scenario);
  process.exit(2);
}
runBrowserTest((browser) => scenarios[scenario](browser));
