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
async function validated(config: Record<string, string>, secretKeys: string[], stackName: string):
    Promise<{ typed?: import("../config").OpenViduConfig; problems: Array<{ key: string; message: string }> }> {
    const { validateConfig, CONFIG_NAMESPACE } = await import("../config");
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const secrets = new Set(secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
    try {
        const typed = validateConfig(raw, {
            stackName,
            region: config["aws:region"] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
            secretKeys: secrets,
            otherKeys: Object.keys(config).filter((k) => !k.startsWith(prefix)),
        });
        return { typed, problems: [] };
    } catch (error) {
        if (isConfigError(error)) return { problems: error.problems as Array<{ key: string; message: string }> };
        throw error;
    }
}

async function main(): Promise<number> {
    const values = parsePlanArgs(process.argv.slice(2));
    if (values.help) {
        console.error(USAGE);
        return 0;
    }
    const stackName = values.stack;
    // Like `pulumi --cwd`: where Pulumi.yaml and the stack files are (default: this project).
    // A relative --cwd is where the user is: npm runs scripts from the package root, and says where it was called in INIT_CWD.
    const projectDir = values.cwd === undefined ? path.join(__dirname, "..") : path.resolve(process.env.INIT_CWD ?? process.cwd(), values.cwd);
    const stack = readStackConfig(projectDir, stackName, parseSecretArgs(values.secret));
    if (stack.cliProblems.length > 0) {
        // `pulumi preview` stops at these, before the program runs. To list every problem at once,
        // the program's own validation runs too (it registers nothing), and its problems with other keys join.
        const { ConfigError } = await import("../config/errors");
        const named = new Set(stack.cliProblems.map((p) => p.key));
        const others = (await validated(stack.config, stack.secretKeys, stackName)).problems.filter((p) => !named.has(p.key));
        throw Object.assign(new ConfigError([...stack.cliProblems, ...others]), {
            header: "`pulumi preview` would refuse this stack before running the program (Pulumi.yaml's `config:` declarations):",
        });
    }
    const { typed, problems } = await validated(stack.config, stack.secretKeys, stackName);
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
        console.error(OFFLINE_NOTICE);
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    } else {
        process.stdout.write(`${planText(plan, run, { wide: values.wide })}\n`);
    }
    return 0;
}

/** A ConfigError (config/errors.ts), recognised without loading Pulumi's SDK. */
function isConfigError(err: unknown): err is Error & { problems: unknown[] } {
    return err instanceof Error && err.name === "ConfigError" && Array.isArray((err as { problems?: unknown }).problems);
}

/** Exits once stdout is written: into a pipe (`--json | jq`) it drains asynchronously, and exit() would cut it at 64 KiB. */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

main().then(
    (code) => exitAfterOutput(code),
    (err: unknown) => {
        if (isConfigError(err)) {
            const header = (err as { header?: string }).header;
            console.error(`Offline plan for this stack: nothing registered.\n${header ? `${header}\n` : ""}${err.message}`);
            if (process.argv.includes("--json")) {
                process.stdout.write(`${JSON.stringify({ kind: "offline-plan", errors: err.problems }, null, 2)}\n`);
            }
            exitAfterOutput(2);
            return;
        }
        if (err instanceof PlanArgsError || err instanceof StackFileError) {
            // A user's mistake: one line saying what is wrong, no stack trace.
            console.error(`plan: ${err.message}`);
            process.exit(1);
        }
        console.error(err);
        process.exit(1);
    },
);
