// Launches Debian's chromium (/usr/bin/chromium) headless through
// playwright-core, with the flags that keep it quiet and offline-friendly in
// a container. Shared by the browser tests of this directory.
'use strict';

const { chromium } = require('playwright-core');

exports.launchBrowser = function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.MAV_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-quic', '--no-first-run', '--disable-component-update',
           '--disable-sync'],
  });
};
