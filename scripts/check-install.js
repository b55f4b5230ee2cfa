#!/usr/bin/env node
/**
 * Runs before the project's npm scripts that need the installed toolchain
 * (`npm run plan`, `npm test`, ...): says in one line what is missing and what
 * to do, instead of `sh: ts-node: not found` or a Node.js syntax error.
 * Plain JavaScript, no dependencies: it must run before `npm ci` has.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/** `>=20.19.0 <25` style ranges (the only form package.json's engines uses here). */
function satisfies(version, range) {
    const parse = (v) => v.replace(/^v/, "").split(".").map(Number);
    const compare = (a, b) => { for (let i = 0; i < 3; i++) { if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) - (b[i] || 0); } return 0; };
    const current = parse(version);
    return range.trim().split(/\s+/).every((part) => {
        const match = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(part);
        if (!match) return true;
        const c = compare(current, parse(match[2]));
        return { ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c === 0, undefined: c === 0 }[match[1]];
    });
}

/** The problems of this installation for `tools` (commands the script runs from node_modules/.bin). */
function installProblems(root, nodeVersion, tools) {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const range = manifest.engines && manifest.engines.node;
    const problems = [];
    if (range && !satisfies(nodeVersion, range)) {
        problems.push(`Node.js ${nodeVersion} is not supported: this program needs Node.js ${range} (package.json "engines")`);
    }
    const missing = tools.filter((tool) => !fs.existsSync(path.join(root, "node_modules", ".bin", tool)));
    if (missing.length > 0) {
        problems.push(`${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not installed: run \`npm ci\` in ${root} first`);
    }
    return problems;
}

module.exports = { installProblems, satisfies };

if (require.main === module) {
    const problems = installProblems(path.join(__dirname, ".."), process.version, process.argv.slice(2));
    for (const problem of problems) console.error(`error: ${problem}`);
    process.exit(problems.length > 0 ? 1 : 0);
}
