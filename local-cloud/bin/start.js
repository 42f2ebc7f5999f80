#!/usr/bin/env node
'use strict';
// The platform runs functions in UTC; the local cloud does too, whatever this machine's zone.
process.env.TZ = 'UTC';
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
require('../dist/main.js')
  .run(process.argv.slice(2), root)
  .catch((error) => {
    console.error(error && error.stack ? error.stack : error);
    process.exit(1);
  });
