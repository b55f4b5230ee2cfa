/**
 * The CLI path's `pulumi preview --stack dev` (the real CLI, the tests' stand-in
 * Node.js language host, @pulumi/pulumi's cmd/run on index.ts, the stand-in
 * AWS/awsx/random provider: tests/engine/cliPath.test.ts), timed from a copy of
 * the project: with its tsconfig.json as committed (ts-node with SWC), with ts-node's
 * own TypeScript transpiler, and with the program precompiled by tsc (package.json's
 * `main` at bin/index.js, Pulumi.yaml's `typescript: false`: no ts-node at all, cmd/run's
 * source-map-support reading tsc's source maps; the program directory stays the
 * project's, so the language host's work is the same). Used by scripts/bench.ts.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cliWithLanguageHost } from "../../tests/support/languageHost";
import { headerSecretKeys, projectCopy } from "../../tests/support/projectCopy";
import { engineSandbox, pulumiCliBinDir, standInPlugins } from "../../tests/support/pulumiCli";
import { timeCommand, Timing } from "./timing";

export interface PreviewTiming extends Timing {
    /** CPU time of the program's own process (cmd/run), from scripts/bench/programCpu.js. */
    programCpuMs: number;
}

export interface CliPathBench {
    /** One `pulumi preview --stack dev`: ts-node with SWC (as committed) or TypeScript's transpiler, or tsc's output. */
    preview(program: "swc" | "typescript" | "precompiled"): PreviewTiming;
    dispose(): void;
}

/** A CLI path ready to preview the committed dev stack, or why it is not available (no CLI). */
export function cliPathBench(): CliPathBench | string {
    const { binDir, unavailable } = pulumiCliBinDir();
    if (!binDir) return unavailable ?? "no Pulumi CLI";
    const sandbox = engineSandbox(binDir);
    const cli = cliWithLanguageHost(binDir);
    const plugins = standInPlugins(["aws", "awsx", "random"]);
    const project = projectCopy();
    const programCpuFile = path.join(project, "program-cpu.txt");
    const env = {
        ...process.env, ...sandbox.env, PATH: [plugins.dir, cli.binDir, process.env.PATH ?? ""].join(path.delimiter), STAND_IN_CLOUD: "{}",
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "programCpu.js")}`.trim(), BENCH_PROGRAM_CPU_FILE: programCpuFile,
    };
    const pulumi = (args: string[], input = ""): void => {
        const result = spawnSync(cli.pulumi, [...args, "--non-interactive"], { cwd: project, env, input, encoding: "utf8" });
        if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.status}):\n${result.stderr}${result.stdout}`);
    };
    pulumi(["stack", "init", "dev"]);
    for (const key of headerSecretKeys("dev")) pulumi(["config", "set", "--secret", "--stack", "dev", key], `bench-${key}`);
    const tsconfig = path.join(project, "tsconfig.json");
    const committed = fs.readFileSync(tsconfig, "utf8");
    const withoutSwc = committed.replace(/"swc":\s*true/, "\"swc\": false");
    if (withoutSwc === committed) throw new Error("tsconfig.json has no \"swc\": true to turn off");
    const variants = (file: string, edit: (text: string) => string): { committed: string; precompiled: string; file: string } => {
        const text = fs.readFileSync(path.join(project, file), "utf8");
        const edited = edit(text);
        if (edited === text) throw new Error(`${file} changed shape: update scripts/bench/cliPath.ts`);
        return { committed: text, precompiled: edited, file: path.join(project, file) };
    };
    const precompiledFiles = [
        variants("Pulumi.yaml", (text) => text.replace(/^(\s+)typescript: true$/m, "$1typescript: false")),
        variants("package.json", (text) => text.replace(/^ {2}"main": "index\.ts",$/m, "  \"main\": \"bin/index.js\",")),
    ];
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", project, "--outDir", path.join(project, "bin"), "--noCheck"], { cwd: project });
    return {
        preview(program) {
            fs.writeFileSync(tsconfig, program === "typescript" ? withoutSwc : committed);
            for (const variant of precompiledFiles) fs.writeFileSync(variant.file, program === "precompiled" ? variant.precompiled : variant.committed);
            fs.rmSync(programCpuFile, { force: true });
            const timing = timeCommand(cli.pulumi, ["preview", "--stack", "dev", "--non-interactive"], { cwd: project, env });
            const programCpu = fs.existsSync(programCpuFile) ? fs.readFileSync(programCpuFile, "utf8").trim().split("\n") : [];
            if (programCpu.length !== 1) throw new Error(`expected one program process's CPU time, got ${programCpu.length}`);
            return { ...timing, programCpuMs: Number(programCpu[0]) };
        },
        dispose() {
            fs.rmSync(project, { recursive: true, force: true });
            plugins.dispose();
            cli.dispose();
            sandbox.dispose();
        },
    };
}
