// The test files (paths or globs) named on mocha's command line: what
// .mocharc.suite.js runs alone instead of the whole suite, and what the suite's
// set-up reads to decide whether the run needs a Ceph cluster
// (support/sharedRgw.ts). JavaScript: .mocharc.suite.js loads it before ts-node.
"use strict";

/** @param {readonly string[]} args mocha's arguments @returns {string[]} */
function namedTestFiles(args) {
    return args.filter((arg) => !arg.startsWith("-") && /\.test\.[jt]s$|\*/.test(arg));
}

module.exports = { namedTestFiles };
