// Loaded with NODE_OPTIONS=--require into every Node.js process of a benched
// `pulumi preview` (scripts/bench/cliPath.ts). The one running @pulumi/pulumi's
// cmd/run, the program itself, appends its own CPU time (user + system, ms) at
// exit to BENCH_PROGRAM_CPU_FILE: the start-up figure without the engine's and
// the providers' processes, whose CPU time varies more than the program's.
"use strict";
const CMD_RUN = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run[\\/]index\.js$/;

process.on("exit", () => {
    const file = process.env.BENCH_PROGRAM_CPU_FILE;
    if (!file || !CMD_RUN.test(process.argv[1] || "")) return;
    const usage = process.cpuUsage();
    require("fs").appendFileSync(file, `${Math.round((usage.user + usage.system) / 1000)}\n`);
});
