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
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE, KEY_SPECS, OpenViduStackConfig, validateConfig } from "../config";
import { openviduProgram, OpenViduProgramOptions } from "../program";

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
    /** Aborting cancels the running update (`pulumi cancel`). */
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
    validateConfig(raw, { stackName: shortStackName(request.stackName), region: request.region, secretKeys: "all" });
}

function shortStackName(stackName: string): string {
    return stackName.split("/").pop() ?? stackName;
}

/** How a stack is obtained; replaced in tests (no pulumi CLI there). */
export type StackFactory = (args: automation.InlineProgramArgs, options?: automation.LocalWorkspaceOptions) => Promise<automation.Stack>;

let createOrSelectStack: StackFactory = (args, options) => automation.LocalWorkspace.createOrSelectStack(args, options);

/** For tests: use another stack factory; returns the previous one. */
export function setStackFactory(factory: StackFactory): StackFactory {
    const previous = createOrSelectStack;
    createOrSelectStack = factory;
    return previous;
}

/**
 * Validates, then creates or selects the stack with exactly this configuration
 * (keys no longer in it are removed) and the inline program.
 */
export async function openStack(request: StackRequest): Promise<automation.Stack> {
    checkConfig(request);
    const stack = await createOrSelectStack({
        projectName: request.projectName ?? CONFIG_NAMESPACE,
        stackName: request.stackName,
        program: async () => openviduProgram(request.program ?? {}) as unknown as Record<string, pulumi.Output<unknown>>,
    }, request.workspace);
    const desired = toStackConfig(request.config, request.region);
    // The typed config is the whole truth: a key dropped from it must not linger on the stack.
    const stale = Object.keys(await stack.getAllConfig()).filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`) && !(key in desired));
    if (stale.length > 0) await stack.removeAllConfig(stale);
    await stack.setAllConfig(desired);
    return stack;
}

/** Runs `action` with the request's abort signal mapped to `pulumi cancel`. */
async function cancellable<T>(stack: automation.Stack, signal: AbortSignal | undefined, action: () => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new Error("aborted before it started");
    const onAbort = (): void => { void stack.cancel(); };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
        return await action();
    } finally {
        signal?.removeEventListener("abort", onAbort);
    }
}

export function outputsFrom(outputs: automation.OutputMap): OpenViduDeployment {
    const value = (key: keyof OpenViduDeployment): string => {
        const output = outputs[key];
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
    };
}

/** `pulumi up`: creates or updates the stack and returns its outputs. */
export async function deploy(request: StackRequest): Promise<OpenViduDeployment> {
    const stack = await openStack(request);
    const result = await cancellable(stack, request.signal, () => stack.up({ onOutput: request.onOutput, onEvent: request.onEvent }));
    return outputsFrom(result.outputs);
}

/** `pulumi preview`: what an update would change. */
export async function preview(request: StackRequest): Promise<automation.PreviewResult> {
    const stack = await openStack(request);
    return cancellable(stack, request.signal, () => stack.preview({ onOutput: request.onOutput, onEvent: request.onEvent }));
}

/** `pulumi destroy`: removes the cluster; the bucket it created stays (see README, "Destroying"). */
export async function destroy(request: StackRequest): Promise<automation.DestroyResult> {
    const stack = await openStack(request);
    return cancellable(stack, request.signal, () => stack.destroy({ onOutput: request.onOutput, onEvent: request.onEvent }));
}

/** The outputs of a deployed stack. */
export async function outputs(request: StackRequest): Promise<OpenViduDeployment> {
    const stack = await openStack(request);
    return outputsFrom(await stack.outputs());
}
