// Loaded with NODE_OPTIONS=--require into every Node.js process a CLI run starts.
// In the one that registered ts-node (cmd/run, running index.ts) it appends, at
// exit, one JSON line to TS_NODE_PROBE_FILE saying how ts-node transpiled the
// program: its merged options (tsconfig.json's "ts-node" block included),
// whether @swc/core was loaded, and whether the SDK's stack captures skip
// source-map-support. Other processes (the host, providers) write nothing.
"use strict";
const fs = require("fs");

process.on("exit", () => {
    const service = process[Symbol.for("ts-node.register.instance")];
    const file = process.env.TS_NODE_PROBE_FILE;
    if (!service || !file) return;
    const loaded = Object.keys(require.cache);
    fs.appendFileSync(file, JSON.stringify({
        swc: service.options.swc === true,
        transpileOnly: service.options.transpileOnly === true,
        swcCoreLoaded: loaded.some((p) => p.includes(`${require("path").sep}@swc${require("path").sep}core${require("path").sep}`)),
        tsFilesLoaded: loaded.filter((p) => p.endsWith(".ts")).length,
        // index.ts's startup/sdkStackTraces.ts wrapped source-map-support's stack formatting.
        sdkStackTraces: Boolean(Error.prepareStackTrace && Error.prepareStackTrace[Symbol.for("openvidu.sdkStackTraces")]),
    }) + "\n");
});
