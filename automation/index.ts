/**
 * OpenVidu Enterprise HA from other programs, through Pulumi's Automation
 * API: the same top-level component as `pulumi up` (program.ts), configured
 * with the same typed configuration the stack files hold.
 *
 * @example
 * import { deploy } from "openvidu-enterprise-ha-aws/automation";
 * const outputs = await deploy({ stackName: "dev", region: "eu-west-1", config: { domainName: "ov.example.com", ... } });
 * console.log(outputs.loadBalancerUrl);
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE, HowToSet, KEY_SPECS, OpenViduStackConfig, SECRET_KEYS, validateConfig } from "../config";
import { openviduProgramAfterLookups, OpenViduProgramOptions } from "../program";

export { ConfigError } from "../config";
export type { ConfigProblem, OpenViduStackConfig } from "../config";

export interface StackRequest {
    /** The stack to create or select, e.g. "dev" or "acme/openvidu/prod". */
    stackName: string;
    /** The AWS region (`aws:region`). */
    region: string;
    /** The same keys as the stack files (`openvidu:*`), typed. */
    config: OpenViduStackConfig;
    /** @default "openvidu" */
    projectName?: string;
    /** Options of the local workspace (backend via `envVars: { PULUMI_BACKEND_URL }`, `workDir`, ...). */
    workspace?: automation.LocalWorkspaceOptions;
    /** Adjustments of the underlying resources (see the README, "Adjusting resources"). */
    program?: OpenViduProgramOptions;
    /** Progress, line by line, as `pulumi up` prints it. */
    onOutput?: (line: string) => void;
    /** Structured engine events. */
    onEvent?: (event: automation.EngineEvent) => void;
    /**
     * Aborting interrupts the running operation the way Ctrl-C does: the CLI
     * stops starting new resource operations, waits for the ones in flight
     * and saves the state. The call then rejects with an `OperationAbortedError`.
     */
    signal?: AbortSignal;
}

/** The stack outputs, as plain values (the OpenVidu secret included: handle with care). */
export interface OpenViduDeployment {
    loadBalancerUrl: string;
    inspectorUrl: string;
    domainName: string;
    bucketName: string;
    masterAsgName: string;
    mediaAsgName: string;
    openviduSecret: string;
    /** The CloudWatch dashboard's console URL; "" with alarms off, or for a stack last deployed before it existed. */
    dashboardUrl: string;
    /** The SNS topic the alarms publish to; "" likewise. */
    alarmTopicArn: string;
    /** The CloudWatch Logs group of the masters' boot lines; "" for a stack last deployed before it existed. */
    bootLogGroupName: string;
}

/** One stack config entry as Pulumi stores it. */
export type StackConfigMap = Record<string, automation.ConfigValue>;

/**
 * The stack configuration for a typed config: every set key under
 * `openvidu:`, secrets (the schema's secret kinds) as secrets, lists and
 * maps as JSON: exactly what `pulumi config set` would store.
 */
export function toStackConfig(config: OpenViduStackConfig, region: string): StackConfigMap {
    const entries: StackConfigMap = { "aws:region": { value: region } };
    for (const spec of KEY_SPECS) {
        const value = (config as unknown as Record<string, unknown>)[spec.key];
        if (value === undefined) continue;
        const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
        entries[`${CONFIG_NAMESPACE}:${spec.key}`] = { value: text, secret: spec.kind === "secret" };
    }
    return entries;
}

/**
 * Validates the configuration exactly as the program will (same messages),
 * before any workspace or stack is touched. Throws a ConfigError.
 */
export function checkConfig(request: Pick<StackRequest, "stackName" | "config" | "region">): void {
    const raw: Record<string, unknown> = {};
    const unknownKeys = Object.keys(request.config).filter((key) => !KEY_SPECS.some((s) => s.key === key));
    for (const [full, entry] of Object.entries(toStackConfig(request.config, request.region))) {
        if (full.startsWith(`${CONFIG_NAMESPACE}:`)) raw[full.slice(CONFIG_NAMESPACE.length + 1)] = entry.value;
    }
    for (const key of unknownKeys) raw[key] = String((request.config as unknown as Record<string, unknown>)[key]);
    validateConfig(raw, { stackName: shortStackName(request.stackName), region: request.region, secretKeys: "all", howToSet: inTheRequest });
}

/**
 * An API caller sets fields of the request, not `pulumi config set`: the messages name
 * the field. Keys stay as they are (the ConfigError's public shape).
 */
export const inTheRequest: HowToSet = ({ key }) =>
    key === "aws:region" ? "the request's `region`" : `\`config.${key.slice(key.indexOf(":") + 1)}\` in the request`;

function shortStackName(stackName: string): string {
    return stackName.split("/").pop() ?? stackName;
}

/** How a stack is obtained; replaced in tests that run no CLI. */
export type StackFactory = (args: automation.InlineProgramArgs, options?: automation.LocalWorkspaceOptions) => Promise<automation.Stack>;

let createOrSelectStack: StackFactory = (args, options) => automation.LocalWorkspace.createOrSelectStack(args, options);

/** For tests: use another stack factory; returns the previous one. */
export function setStackFactory(factory: StackFactory): StackFactory {
    const previous = createOrSelectStack;
    createOrSelectStack = factory;
    return previous;
}

/** The inline program a stack runs. */
export type InlineProgram = (options: OpenViduProgramOptions) => Promise<Record<string, unknown>> | Record<string, unknown>;

let inlineProgram: InlineProgram = async (options) => (await openviduProgramAfterLookups(options)) as unknown as Record<string, unknown>;

/**
 * For tests with the real CLI, which has no AWS provider here: run another
 * program through this module's whole flow. Returns the previous one.
 */
export function setInlineProgram(program: InlineProgram): InlineProgram {
    const previous = inlineProgram;
    inlineProgram = program;
    return previous;
}

/** Another update of the same stack is running (or was interrupted and left its lock). */
export class StackBusyError extends Error {
    constructor(readonly stackName: string) {
        super(`stack ${stackName} is being updated by someone else; wait for that update to finish, `
            + `or, if it was interrupted, run \`pulumi cancel --stack ${stackName}\` first`);
        this.name = "StackBusyError";
    }
}

/** The operation was interrupted through the request's AbortSignal. */
export class OperationAbortedError extends Error {
    constructor(readonly stackName: string, readonly operation: string) {
        super(`${operation} of stack ${stackName} was aborted; the CLI saved the state of what had finished`);
        this.name = "OperationAbortedError";
    }
}

/** No `pulumi` to run: the Automation API drives the Pulumi CLI, which must be installed. */
export class PulumiCliMissingError extends Error {
    constructor() {
        super("The Pulumi CLI is not installed (no `pulumi` on PATH). The Automation API runs it: install it " +
            "(https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`), or pass `workspace.pulumiCommand` " +
            "(automation.PulumiCommand.get({ root: \"<its directory>\" })) in the request");
        this.name = "PulumiCliMissingError";
    }
}

/**
 * A failure of the Pulumi CLI, with every secret of the request replaced by
 * `[secret]` in its message and output: errors leave this module redacted,
 * since callers log them.
 */
export class AutomationError extends Error {
    constructor(message: string, readonly stdout = "", readonly stderr = "", readonly exitCode?: number) {
        super(message);
        this.name = "AutomationError";
    }
}

const REDACTED = "[secret]";

/** The secret values of a request: the secret kinds of its config. */
function secretValuesOf(request: Pick<StackRequest, "config">): string[] {
    const config = request.config as unknown as Record<string, unknown>;
    return SECRET_KEYS.map((key) => config[key]).filter((v): v is string => typeof v === "string" && v.length > 0)
        .sort((a, b) => b.length - a.length); // longest first, so a secret containing another is masked whole
}

function redact(text: string, secrets: readonly string[]): string {
    return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

/** Runs `action`, turning every error into one that carries no secret of the request. */
async function redacting<T>(request: StackRequest, operation: string, action: () => Promise<T>): Promise<T> {
    const secrets = secretValuesOf(request);
    try {
        return await action();
    } catch (error) {
        if (request.signal?.aborted) throw new OperationAbortedError(request.stackName, operation);
        if (error instanceof automation.ConcurrentUpdateError) throw new StackBusyError(request.stackName);
        if (error instanceof StackBusyError || error instanceof OperationAbortedError) throw error;
        if (error instanceof automation.CommandError && /\bspawn pulumi ENOENT\b/.test(String(error.message))) throw new PulumiCliMissingError();
        if (error instanceof automation.CommandError) {
            const result = (error as unknown as { commandResult?: { stdout: string; stderr: string; code: number } }).commandResult;
            throw new AutomationError(redact(error.message, secrets), redact(result?.stdout ?? "", secrets),
                redact(result?.stderr ?? "", secrets), result?.code);
        }
        if (error instanceof Error) {
            const clean = new AutomationError(redact(error.message, secrets));
            clean.name = error.name;
            clean.stack = redact(error.stack ?? "", secrets);
            throw clean;
        }
        throw new AutomationError(redact(String(error), secrets));
    }
}

/**
 * The directory of this package (where its package.json is). The CLI starts
 * the `.env` dynamic provider in the program's directory and the provider
 * loads its modules (@pulumi/pulumi, @aws-sdk/client-s3) from there: an
 * inline program's directory defaults to the caller's working directory,
 * which may have no node_modules. Pointing `main` here makes Node resolve
 * them from this package, wherever it is installed and whatever the caller's
 * working directory is.
 */
export function packageRoot(from = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no package root above ${from}`);
    }
}

/** The caller's project settings, or, unless its workDir has a Pulumi.yaml, this package's. */
function projectSettingsFor(projectName: string, workspace: automation.LocalWorkspaceOptions | undefined): automation.ProjectSettings | undefined {
    if (workspace?.projectSettings) return workspace.projectSettings;
    const hasProjectFile = workspace?.workDir !== undefined
        && ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"].some((file) => fs.existsSync(path.join(workspace.workDir as string, file)));
    return hasProjectFile ? undefined : { name: projectName, runtime: "nodejs", main: packageRoot() };
}

/**
 * Sets secret config values through the CLI's standard input, so they never
 * appear on a command line (`ps`, audit logs); the SDK's config calls pass
 * values as arguments.
 */
async function setSecretsFromStdin(stack: automation.Stack, secrets: Array<[string, string]>): Promise<void> {
    const workspace = stack.workspace as automation.LocalWorkspace;
    const command = workspace.pulumiCommand.command;
    const env: NodeJS.ProcessEnv = { ...process.env, ...workspace.envVars, PULUMI_AUTOMATION_API: "true" };
    if (path.isAbsolute(command)) env.PATH = `${path.dirname(command)}${path.delimiter}${env.PATH ?? ""}`;
    for (const [key, value] of secrets) {
        await new Promise<void>((resolve, reject) => {
            const child = spawn(command, ["config", "set", "--secret", "--raw", "--stack", stack.name, "--non-interactive", key],
                { cwd: workspace.workDir, env, stdio: ["pipe", "ignore", "pipe"] });
            let stderr = "";
            child.stderr.on("data", (chunk) => { stderr += String(chunk); });
            child.on("error", reject);
            child.on("close", (code) => (code === 0 ? resolve()
                : reject(new AutomationError(`pulumi config set --secret ${key} failed (exit ${code}): ${stderr.trim()}`, "", stderr, code ?? undefined))));
            child.stdin.end(value);
        });
    }
}

/**
 * Sets every plain value in one `pulumi config set-all --json`, lists and maps as YAML lists
 * and maps (`objectValue`), as a stack file holds them: the CLI refuses a JSON string for a
 * key its project file declares `type: array` (this project's Pulumi.yaml does, for
 * envReaderArns), which `setAllConfig` would store.
 */
async function setPlainValues(stack: automation.Stack, values: Array<[string, automation.ConfigValue]>): Promise<void> {
    const structured = new Set(KEY_SPECS.filter((spec) => spec.kind === "stringList" || spec.kind === "stringMap")
        .map((spec) => `${CONFIG_NAMESPACE}:${spec.key}`));
    const json = Object.fromEntries(values.map(([key, { value }]) =>
        [key, structured.has(key) ? { value, objectValue: JSON.parse(value) } : { value }]));
    await stack.setAllConfigJson(JSON.stringify(json));
}

/**
 * Validates, then creates or selects the stack with exactly this configuration
 * (keys no longer in it are removed) and the inline program.
 */
export async function openStack(request: StackRequest): Promise<automation.Stack> {
    checkConfig(request);
    return redacting(request, "opening", () => configuredStack(request));
}

async function configuredStack(request: StackRequest): Promise<automation.Stack> {
    const projectName = request.projectName ?? CONFIG_NAMESPACE;
    const stack = await createOrSelectStack({
        projectName,
        stackName: request.stackName,
        program: async () => inlineProgram(request.program ?? {}) as Record<string, pulumi.Output<unknown>>,
    }, { ...request.workspace, projectSettings: projectSettingsFor(projectName, request.workspace) });
    const desired = toStackConfig(request.config, request.region);
    await setPlainValues(stack, Object.entries(desired).filter(([, v]) => !v.secret));
    await setSecretsFromStdin(stack, Object.entries(desired).filter(([, v]) => v.secret).map(([k, v]) => [k, v.value]));
    // The typed config is the whole truth: a key dropped from it must not linger on the stack.
    // Read after setting: with a project file declaring required keys, `pulumi config` refuses
    // to list a new stack's config until they are set.
    const stale = Object.keys(await stack.getAllConfig()).filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`) && !(key in desired));
    if (stale.length > 0) await stack.removeAllConfig(stale);
    return stack;
}

export function outputsFrom(outputs: automation.OutputMap): OpenViduDeployment {
    const value = (key: keyof OpenViduDeployment, absent?: string): string => {
        const output = outputs[key];
        if (output === undefined && absent !== undefined) return absent;
        if (output === undefined) throw new Error(`the stack has no output ${key}: was it deployed by this program?`);
        return String(output.value);
    };
    return {
        loadBalancerUrl: value("loadBalancerUrl"),
        inspectorUrl: value("inspectorUrl"),
        domainName: value("domainName"),
        bucketName: value("bucketName"),
        masterAsgName: value("masterAsgName"),
        mediaAsgName: value("mediaAsgName"),
        openviduSecret: value("openviduSecret"),
        // Outputs added later: a stack not updated since has none yet.
        dashboardUrl: value("dashboardUrl", ""),
        alarmTopicArn: value("alarmTopicArn", ""),
        bootLogGroupName: value("bootLogGroupName", ""),
    };
}

/** The options every operation passes on: progress, events, abort. */
function runOptions(request: StackRequest): { onOutput?: (line: string) => void; onEvent?: (e: automation.EngineEvent) => void; signal?: AbortSignal } {
    const secrets = secretValuesOf(request);
    const onOutput = request.onOutput;
    return {
        onOutput: onOutput && ((line: string) => onOutput(redact(line, secrets))),
        onEvent: request.onEvent,
        signal: request.signal,
    };
}

/** Opens the stack, then runs one operation on it; everything leaving is redacted. */
async function operate<T>(request: StackRequest, operation: string, run: (stack: automation.Stack) => Promise<T>): Promise<T> {
    checkConfig(request);
    if (request.signal?.aborted) throw new OperationAbortedError(request.stackName, operation);
    return redacting(request, operation, async () => run(await configuredStack(request)));
}

/** `pulumi up`: creates or updates the stack and returns its outputs. */
export async function deploy(request: StackRequest): Promise<OpenViduDeployment> {
    return operate(request, "deploy", async (stack) => outputsFrom((await stack.up(runOptions(request))).outputs));
}

/** `pulumi preview`: what an update would change. */
export async function preview(request: StackRequest): Promise<automation.PreviewResult> {
    return operate(request, "preview", (stack) => stack.preview(runOptions(request)));
}

/**
 * `pulumi destroy --run-program`: removes the cluster; the bucket it created
 * stays (see README, "Destroying"). The program runs so that the `.env`
 * resource's delete follows this request's `deleteEnvOnDestroy`: a plain
 * destroy hands it the config recorded at the last update instead.
 */
export async function destroy(request: StackRequest): Promise<automation.DestroyResult> {
    return operate(request, "destroy", (stack) => stack.destroy({ ...runOptions(request), runProgram: true }));
}

/** The outputs of a deployed stack. */
export async function outputs(request: StackRequest): Promise<OpenViduDeployment> {
    return operate(request, "outputs", async (stack) => outputsFrom(await stack.outputs()));
}
