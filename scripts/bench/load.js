// Loads a TypeScript entry point the way Pulumi's Node.js language host does
// (ts-node registered programmatically), in one of three modes:
//   typecheck  - what `pulumi new aws-typescript` gives: ts-node type-checks every file it loads;
//   transpile  - ts-node transpile-only with TypeScript's own transpiler (tsconfig's `noCheck` alone);
//   swc        - this project's setup: transpile-only with SWC (tsconfig's `"ts-node": { "swc": true }`).
// usage: node scripts/bench/load.js <typecheck|transpile|swc> <entry.ts>
"use strict";
const path = require("path");

const [mode, entry] = process.argv.slice(2);
if (!["typecheck", "transpile", "swc"].includes(mode) || !entry) {
    console.error("usage: node scripts/bench/load.js <typecheck|transpile|swc> <entry.ts>");
    process.exit(2);
}
require("ts-node").register({
    transpileOnly: mode !== "typecheck",
    // Explicit either way, so the figures do not depend on tsconfig.json's own ts-node options.
    swc: mode === "swc",
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
    // The default project has no `noCheck`; undo ours so typecheck mode really checks.
    compilerOptions: mode === "typecheck" ? { noCheck: false } : {},
});
require(path.resolve(entry));
