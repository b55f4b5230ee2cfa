/**
 * The offline plan (scripts/plan.ts), run as a user runs it: in-process through
 * its runPlan (what most tests need: the plan's output for a config, without
 * paying ts-node's and the program's start-up per run), or as the real command
 * (exit codes, stdout and stderr of the process).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { runPlan } from "../../scripts/plan";

const root = path.join(__dirname, "..", "..");

export interface PlanResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** The environment without the INIT_CWD of the npm that runs the tests: npm sets its own. */
export function withoutInitCwd(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const copy = { ...env };
    delete copy.INIT_CWD;
    return copy;
}

/** `npm run plan -- ARGS` from the repository root, in this process: exit code and what it wrote. */
export async function planInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<PlanResult> {
    let stdout = "";
    let stderr = "";
    const status = await runPlan({
        argv: args,
        cwd: root,
        env: withoutInitCwd({ ...process.env, ...env }),
        stdout: { write: (text: string) => { stdout += text; } },
        stderr: { write: (text: string) => { stderr += text; } },
    });
    return { status, stdout, stderr };
}

/** `ts-node scripts/plan.ts ARGS` as its own process (what `npm run plan` runs). */
export function planCommand(args: string[], env: NodeJS.ProcessEnv = {}): PlanResult {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(root, "scripts", "plan.ts"), ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json"), ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
