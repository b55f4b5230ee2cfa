// Loads a TypeScript entry point the way Pulumi's Node.js language host does
// (ts-node registered programmatically), in one of two modes:
//   typecheck  - what `pulumi new aws-typescript` gives: ts-node type-checks every file it loads;
//   transpile  - this project's setup: tsconfig's `noCheck` makes Pulumi run ts-node transpile-only.
// usage: node scripts/bench/load.js <typecheck|transpile> <entry.ts>
"use strict";
const path = require("path");

const [mode, entry] = process.argv.slice(2);
if (!["typecheck", "transpile"].includes(mode) || !entry) {
    console.error("usage: node scripts/bench/load.js <typecheck|transpile> <entry.ts>");
    process.exit(2);
}
require("ts-node").register({
    transpileOnly: mode === "transpile",
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
    // The default project has no `noCheck`; undo ours so typecheck mode really checks.
    compilerOptions: mode === "typecheck" ? { noCheck: false } : {},
});
require(path.resolve(entry));
