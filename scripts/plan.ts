/**
 * The offline plan: `npm run plan -- --stack NAME [--json] [--secret openvidu:KEY=VALUE ...]`.
 * Runs the real program in-process under Pulumi's mocks with Pulumi.NAME.yaml's
 * config and prints every resource `pulumi up` would declare, and the outputs.
 * Needs no cloud credentials and no pulumi CLI.
 * Exit codes: 0 ok, 2 invalid configuration (nothing registered), 1 other failure.
 * With --json, stdout holds exactly one JSON document (the project's .npmrc sends npm's banner to stderr).
 */
import * as path from "path";
import { parsePlanArgs, PlanArgsError, USAGE } from "../plan/args";
import { parseSecretArgs, readStackConfig, StackFileError } from "../plan/stackFile";
import { installSdkStackTraces } from "../startup/sdkStackTraces";
// The program, Pulumi's SDK and the AWS provider are loaded only once the command line and
// the stack file are known to be fine, so a typo is answered in a moment.

/** Existing subnets' zones cannot be known offline; assume they alternate (checked for real at deploy). */
function assumedSubnetZones(config: Record<string, string>, region: string): Record<string, string> {
    const raw = config["openvidu:subnetIds"];
    let ids: unknown;
    try {
        ids = raw ? JSON.parse(raw) : [];
    } catch {
        ids = raw.split(",");
    }
    return Object.fromEntries((Array.isArray(ids) ? ids : []).map((id, i) => [String(id).trim(), `${region}${"ab"[i % 2]}`]));
}

/**
 * The program's own validation of the stack's config (config/validate.ts, as loadConfig calls it):
 * the typed config, or its problems. Run once; the program and the example-value check use its result.
 */
async function validated(config: Record<string, string>, secretKeys: string[], stackName: string, env: NodeJS.ProcessEnv):
    Promise<{ typed?: import("../config").OpenViduConfig; problems: Array<{ key: string; message: string }> }> {
    const { validateConfig, CONFIG_NAMESPACE } = await import("../config");
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const secrets = new Set(secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
    try {
        const typed = validateConfig(raw, {
            stackName,
            region: config["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
            secretKeys: secrets,
            otherKeys: Object.keys(config).filter((k) => !k.startsWith(prefix)),
        });
        return { typed, problems: [] };
    } catch (error) {
        if (isConfigError(error)) return { problems: error.problems as Array<{ key: string; message: string }> };
        throw error;
    }
}

/** Where the plan runs: its arguments (after the script's name), environment and output streams. */
export interface PlanIo {
    argv: string[];
    /** Where the user is (a relative --cwd is resolved from INIT_CWD, else from here). */
    cwd: string;
    env: NodeJS.ProcessEnv;
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown };
}

async function plan(io: PlanIo): Promise<number> {
    const values = parsePlanArgs(io.argv);
    if (values.help) {
        io.stderr.write(`${USAGE}\n`);
        return 0;
    }
    const stackName = values.stack;
    // Like `pulumi --cwd`: where Pulumi.yaml and the stack files are (default: this project).
    // A relative --cwd is where the user is: npm runs scripts from the package root, and says where it was called in INIT_CWD.
    const projectDir = values.cwd === undefined ? path.join(__dirname, "..") : path.resolve(io.env.INIT_CWD ?? io.cwd, values.cwd);
    const stack = readStackConfig(projectDir, stackName, parseSecretArgs(values.secret));
    if (stack.cliProblems.length > 0) {
        // `pulumi preview` stops at these, before the program runs. To list every problem at once,
        // the program's own validation runs too (it registers nothing), and its problems with other keys join.
        const { ConfigError } = await import("../config/errors");
        const named = new Set(stack.cliProblems.map((p) => p.key));
        const others = (await validated(stack.config, stack.secretKeys, stackName, io.env)).problems.filter((p) => !named.has(p.key));
        throw Object.assign(new ConfigError([...stack.cliProblems, ...others]), {
            header: "`pulumi preview` would refuse this stack before running the program (Pulumi.yaml's `config:` declarations):",
        });
    }
    const { typed, problems } = await validated(stack.config, stack.secretKeys, stackName, io.env);
    if (!typed) throw new (await import("../config/errors")).ConfigError(problems);
    const { startMocks } = await import("../plan/run");
    const { OFFLINE_NOTICE, planJson, planText } = await import("../plan/render");
    const region = stack.config["aws:region"] ?? "us-east-1";
    const mocks = await startMocks({
        stackName,
        config: stack.config,
        secretKeys: stack.secretKeys,
        cloud: {
            region,
            subnetZones: assumedSubnetZones(stack.config, region),
            // An adopted bucket cannot be looked up offline; assume it is where it must be.
            bucketRegions: stack.config["openvidu:bucketName"] ? { [stack.config["openvidu:bucketName"]]: region } : {},
        },
    });
    // Loaded once the mocks hold the config (as plan/run.ts does); the program takes the config validated above.
    const { openviduProgram } = await import("../program");
    const run = await mocks.run(() => ({ ...openviduProgram({ config: typed }) }));
    const { exampleValues } = await import("../config/examples");
    const plan = { ...planJson(stackName, run, stack.placeholders, stack.config), exampleValues: exampleValues(typed) };
    if (values.json) {
        io.stderr.write(`${OFFLINE_NOTICE}\n`);
        io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    } else {
        io.stdout.write(`${planText(plan, run, { wide: values.wide })}\n`);
    }
    return 0;
}

/** A ConfigError (config/errors.ts), recognised without loading Pulumi's SDK. */
function isConfigError(err: unknown): err is Error & { problems: unknown[] } {
    return err instanceof Error && err.name === "ConfigError" && Array.isArray((err as { problems?: unknown }).problems);
}

/**
 * The offline plan, as the command line runs it, writing to the given streams: the exit code.
 * Tests run it in-process; the program's state under mocks is set anew by each run (plan/run.ts).
 */
export async function runPlan(io: PlanIo): Promise<number> {
    try {
        return await plan(io);
    } catch (err: unknown) {
        if (isConfigError(err)) {
            const header = (err as { header?: string }).header;
            io.stderr.write(`Offline plan for this stack: nothing registered.\n${header ? `${header}\n` : ""}${err.message}\n`);
            if (io.argv.includes("--json")) {
                io.stdout.write(`${JSON.stringify({ kind: "offline-plan", errors: err.problems }, null, 2)}\n`);
            }
            return 2;
        }
        if (err instanceof PlanArgsError || err instanceof StackFileError) {
            // A user's mistake: one line saying what is wrong, no stack trace.
            io.stderr.write(`plan: ${err.message}\n`);
            return 1;
        }
        throw err;
    }
}

/** Exits once stdout is written: into a pipe (`--json | jq`) it drains asynchronously, and exit() would cut it at 64 KiB. */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

if (require.main === module) {
    installSdkStackTraces(); // as index.ts: the SDK's stack captures without source-map-support's cost
    runPlan({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
        (code) => exitAfterOutput(code),
        (err: unknown) => {
            console.error(err);
            process.exit(1);
        },
    );
}
