// Checks collapsible module groups and folded blocks (groups.js) on the
// page of a deep model that went through `mav-opt --group`:
//   node test/browser/groups.js PAGE.html FIGURE.json
// The model is utils/gen-test-models.py's deep_residual: a stem, 2,000
// identical residual blocks of four nodes (a fold of 2,000) and a head.
// FIGURE.json is the same IR's portable figure (--plotly-json), whose
// depth dropdown must show what the page draws at each depth.
// Prints one `PASS: ...` line per check and stops at the first failure.
'use strict';

const { runBrowserTest, loadPage, check } = require('./browser');

const [pagePath, figurePath] = process.argv.slice(2);
if (!pagePath || !figurePath) {
  console.error('usage: node groups.js PAGE.html FIGURE.json');
  process.exit(2);
}

// What is drawn: collapsed groups by label, nodes shown as themselves,
// expanded boxes, and whether the whole drawing is in the main view.
// The table's rows as they read: each row's first cell.
function tableRows(page) {
  return page.evaluate(() => Array.from(
    document.querySelectorAll('#mav-table tbody tr:not(.mav-spacer)'),
    (row) => row.cells[0].textContent));
}

function drawn(page) {
  return page.evaluate(() => {
    const app = window.mavApp, g = app.groups, nodes = app.spec.nodes;
    const shown = [];
    for (let i = 0; i < nodes.x.length; i++)
      if (Number.isFinite(nodes.x[i])) shown.push(nodes.name[i]);
    const view = app.getMainView(), bounds = app.spec.bounds;
    const trace = app.main.data[2];
    return {
      items: g.view.items.map((k) => g.label(k)),
      traceItems: trace.x.length,
      shown,
      boxes: g.view.boxes.map((b) => g.spec.path[b.g]),
      inView: view.x[0] <= bounds.x[0] && view.x[1] >= bounds.x[1] &&
              view.y[0] <= bounds.y[0] && view.y[1] >= bounds.y[1],
      positions: nodes.x.map((x, i) => Number.isFinite(x) ? x + ',' + nodes.y[i] : '')
                        .join(' '),
      selected: app.state.selected >= 0 ? nodes.name[app.state.selected] : null,
    };
  });
}

runBrowserTest(async (browser) => {
  const problems = [];
  const page = await loadPage(browser, problems, pagePath);

  // The first view: the whole structure, a handful of items. The group
  // pass chose depth 2: `blocks` open on the fold's first block.
  let now = await drawn(page);
  const itemCount = now.items.length + now.shown.length;
  check(problems.length === 0, 'page loads without console errors', problems);
  check(now.items.length === 0 && now.boxes.join() === 'blocks,blocks.0' &&
        now.shown.join() === 'x,stem,blocks_0_fc1,blocks_0_act,blocks_0_fc2,' +
                             'blocks_0_add,head,output',
        'first view: the fold\'s first block open inside `blocks`', now);
  check(itemCount <= 60 && now.inView,
        'the whole structure fits the first view in at most 60 items',
        { itemCount, inView: now.inView });

  // Selecting a merged sub-node (blocks_0_act, a 4-px dot beside fc1; its
  // table row is clicked) opens its chain: it gets a row of its own. A
  // click on the chain's label closes it.
  const rowGap = () => page.evaluate(() => {
    const n = window.mavApp.spec.nodes, i = n.name.indexOf('blocks_0_fc1');
    return n.y[n.name.indexOf('blocks_0_fc2')] - n.y[i];
  });
  const closedGap = await rowGap();
  const act = await page.evaluate(() =>
    window.mavApp.spec.nodes.name.indexOf('blocks_0_act'));
  await page.click(`#mav-table tr[data-node="${act}"]`);
  await page.waitForFunction(() => window.mavApp.state.selected >= 0 &&
      window.mavApp.spec.nodes.name[window.mavApp.state.selected] === 'blocks_0_act');
  const openGap = await rowGap();
  const chainLabel = await page.evaluate(() => {
    const app = window.mavApp, box = app.main.getBoundingClientRect();
    const hit = app.state.groupLabels.find((l) => l.chain !== undefined);
    return hit && { x: box.left + hit.x + 5, y: box.top + hit.y + hit.h / 2 };
  });
  check(openGap === 2 * closedGap && chainLabel,
        'selecting a merged sub-node opens its chain onto rows of its own',
        { closedGap, openGap });
  await page.waitForTimeout(500);
  await page.mouse.click(chainLabel.x, chainLabel.y);
  await page.waitForFunction((gap) => {
    const n = window.mavApp.spec.nodes;
    return n.y[n.name.indexOf('blocks_0_fc2')] - n.y[n.name.indexOf('blocks_0_fc1')] === gap;
  }, closedGap);
  check(true, 'a click on the chain\'s label closes it');

  // Collapse all: one item for the 8,000 nodes of `blocks`.
  await page.evaluate(() => window.mavApp.groups.setDepth(0));
  now = await drawn(page);
  check(now.items.join() === 'blocks: Sequential' && now.traceItems === 1 &&
        now.shown.join() === 'x,stem,head,output' && now.boxes.length === 0,
        'collapse all: `blocks` is one item', now);
  const collapsedPositions = now.positions;

  // Depth 1: `blocks` open, the fold collapsed, shown as `DeepBlock ×2000`.
  await page.evaluate(() => window.mavApp.groups.setDepth(1));
  now = await drawn(page);
  check(now.items.join() === 'DeepBlock \u00d72000' && now.boxes.join() === 'blocks',
        'depth 1: the 2,000 blocks are one fold, ×2000', now);
  let rows = await tableRows(page);
  check(rows.join('|') === 'x|stem|\u25be blocks: Sequential|\u25b8 DeepBlock \u00d72000|head|output',
        'the table is a tree with a row per group drawn', rows);

  // A click on the fold expands it to its first instance (once Plotly has
  // settled after the last redraw, as for a user: a click during one may
  // still see the previous points).
  await page.waitForTimeout(500);
  const target = await page.evaluate(() => {
    const app = window.mavApp, g = app.groups.view;
    const layout = app.main._fullLayout, box = app.main.getBoundingClientRect();
    return { x: box.left + layout.xaxis._offset + layout.xaxis.r2p(g.itemX[0]),
             y: box.top + layout.yaxis._offset + layout.yaxis.r2p(g.itemY[0]) };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction(() => window.mavApp.groups.view.items.length === 0);
  now = await drawn(page);
  check(now.shown.length === 8 && now.shown.includes('blocks_0_fc2') &&
        !now.shown.includes('blocks_1_fc2'),
        'clicking the fold shows one block\'s nodes', now.shown);

  // A click on an expanded group's label collapses it (a while after the
  // last click: a click right after a node's is that node's).
  await page.waitForTimeout(500);
  const label = await page.evaluate(() => {
    const app = window.mavApp, box = app.main.getBoundingClientRect();
    const hit = app.state.groupLabels.find(
      (l) => app.groups.spec.path[l.g] === 'blocks.0');
    return { x: box.left + hit.x + 5, y: box.top + hit.y + hit.h / 2 };
  });
  await page.mouse.click(label.x, label.y);
  await page.waitForFunction(() => window.mavApp.groups.view.items.length === 1);
  now = await drawn(page);
  check(now.items.join() === 'DeepBlock \u00d72000',
        'clicking a group\'s label collapses it', now.items);

  // A click on a group's row in the table expands it, and again collapses it.
  await page.click('#mav-table tr.mav-group-row[data-group="1"]');
  await page.waitForFunction(() => window.mavApp.groups.view.items.length === 0);
  rows = await tableRows(page);
  check(rows.length === 10 && rows[3] === '\u25be DeepBlock \u00d72000' &&
        rows[4] === 'blocks_0_fc1',
        'a click on a group\'s row expands it in the graph and the table', rows);
  await page.click('#mav-table tr.mav-group-row[data-group="1"]');
  await page.waitForFunction(() => window.mavApp.groups.view.items.length === 1);

  // Search for a node deep inside: its fold unfolds, its path expands, and
  // it is selected.
  await page.fill('.mav-search', 'blocks_1500_fc2');
  await page.waitForFunction(() => window.mavApp.state.selected >= 0 &&
      window.mavApp.spec.nodes.name[window.mavApp.state.selected] === 'blocks_1500_fc2');
  now = await drawn(page);
  check(now.shown.includes('blocks_1500_fc2') && now.selected === 'blocks_1500_fc2',
        'search opens the path of a node deep in the fold and selects it',
        { selected: now.selected, shown: now.shown.length });

  // Collapse all, then expand all, and back: the same drawings.
  await page.evaluate(() => window.mavApp.groups.setDepth(0));
  now = await drawn(page);
  check(now.positions === collapsedPositions,
        'collapse all after unfolding draws what it drew before', now.items);
  const deepest = await page.evaluate(() => window.mavApp.groups.view.maxDepth);
  await page.evaluate((d) => window.mavApp.groups.setDepth(d), deepest);
  const expanded = await drawn(page);
  await page.evaluate(() => window.mavApp.groups.setDepth(0));
  await page.evaluate((d) => window.mavApp.groups.setDepth(d), deepest);
  now = await drawn(page);
  check(expanded.shown.length === 8 && now.positions === expanded.positions &&
        now.boxes.join() === expanded.boxes.join(),
        'collapse all, then expand all, round-trips', now.shown.length);

  // The portable figure's depth dropdown: at each depth, the nodes it
  // draws are where the page draws them, and its groups are the page's.
  const figure = JSON.parse(require('fs').readFileSync(figurePath, 'utf8'));
  const nodeTraces = figure.data.filter((t) => t.name === 'nodes');
  const groupTraces = figure.data.filter((t) => t.name === 'groups');
  const menu = figure.layout.updatemenus[1];
  const mismatches = [];
  for (let d = 0; d < nodeTraces.length; d++) {
    const shown = await pageAt(d);
    const trace = nodeTraces[d];
    for (let i = 0; i < trace.x.length; i++) {
      const fx = trace.x[i], fy = trace.y[i], px = shown.x[i], py = shown.y[i];
      const same = fx === null ? px === null
                               : px !== null && Math.abs(fx - px) < 1e-6 &&
                                 Math.abs(fy - py) < 1e-6;
      if (!same) { mismatches.push({ d, i, fx, fy, px, py }); break; }
    }
    if (groupTraces[d].text.join() !== shown.labels.join())
      mismatches.push({ d, figure: groupTraces[d].text, page: shown.labels });
  }
  check(nodeTraces.length === 3 && menu.buttons.length === 3 &&
        mismatches.length === 0,
        'the figure\'s depth dropdown draws what the page draws at each depth',
        { depths: nodeTraces.length, mismatches });

  async function pageAt(d) {
    await page.evaluate((depth) => window.mavApp.groups.setDepth(depth), d);
    return page.evaluate(() => {
      const app = window.mavApp, n = app.spec.nodes, g = app.groups;
      const finite = (v) => (Number.isFinite(v) ? v : null);
      return { x: n.x.map(finite), y: n.y.map(finite),
               labels: g.view.items.map((k) => g.label(k)) };
    });
  }

  // The depth menu does what setDepth does.
  await page.selectOption('.mav-depth', '0');
  await page.waitForFunction(() => window.mavApp.groups.view.items.length === 1);
  check(problems.length === 0, 'no console errors after the changes', problems);
});
