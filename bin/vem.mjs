#!/usr/bin/env node
// The `vem` command: runs the TypeScript CLI (src/cli/main.ts) through tsx, same core as the app.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
