#!/usr/bin/env node
import { run } from "./index.js";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`paimon-ts: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
