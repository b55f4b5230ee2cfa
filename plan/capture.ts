/**
 * Records every resource registration the program makes under Pulumi's mocks,
 * with what `pulumi up` would send the engine: type, name, parent, inputs and
 * the resource options that matter for review (protect, retainOnDelete,
 * dependsOn, ...). Works by wrapping the mock monitor's registerResource, so it
 * sees the real request the SDK built.
 */
import * as pulumi from "@pulumi/pulumi";

export interface CapturedOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** Explicit dependencies (not the ones implied by inputs), as resource names. */
    dependsOn?: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    replaceOnChanges?: string[];
    additionalSecretOutputs?: string[];
}

export interface CapturedResource {
    type: string;
    name: string;
    urn: string;
    /** The parent's name (undefined for a top-level resource). */
    parent?: string;
    custom: boolean;
    /** Every resource it waits for, explicit or through an input, as resource names. */
    dependencies: string[];
    /** Inputs as sent, secrets still wrapped (see isSecret / reveal / mask). */
    inputs: Record<string, unknown>;
    options: CapturedOptions;
    /** A dynamic resource's serialized provider code (its `__provider` input shows only a marker). */
    providerCode?: string;
    /**
     * The inputs exactly as sent to the engine (protobuf Struct as JSON): a secret is wrapped
     * where it was set (deserializing pushes it up to the top-level property), and a value
     * unknown during a preview is the SDK's `runtime.unknownValue` string.
     */
    wire: Record<string, unknown>;
}

/** The name part of a URN (after the last `::`). */
export function nameOfUrn(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

// The wire form of a secret value (see @pulumi/pulumi runtime/rpc).
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

export function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Deep copy with every secret replaced by `replace(secretValue)`. */
export function mapSecrets(value: unknown, replace: (secret: unknown) => unknown): unknown {
    if (isSecret(value)) return replace(value.value);
    if (Array.isArray(value)) return value.map((v) => mapSecrets(v, replace));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
    }
    return value;
}

/** The inputs as a plan shows them: every secret becomes the string "[secret]". */
export function maskSecrets(value: unknown): unknown {
    return mapSecrets(value, () => "[secret]");
}

/** The inputs with secrets unwrapped (for assertions on secret values in tests). */
export function revealSecrets(value: unknown): unknown {
    return mapSecrets(value, (secret) => revealSecrets(secret));
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }) => void): void };
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
}

interface InvokeRequest {
    getTok(): string;
    getArgs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface InvokeResponse {
    getReturn(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface Monitor {
    registerResource(req: RegisterRequest, callback: (err: unknown, res: { getUrn(): string } | undefined) => void): void;
    invoke(req: InvokeRequest, callback: (err: unknown, res: InvokeResponse | undefined) => void): void;
}

/** A provider function the program called (a data source lookup), with what the mock cloud answered. */
export interface CapturedCall {
    /** e.g. `aws:ec2/getAmi:getAmi` */
    token: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

/**
 * Starts recording the provider functions called on the current mock monitor (call right
 * after setMocks). Only answered calls are recorded; a failed one fails the run anyway.
 */
export function captureCalls(): CapturedCall[] {
    const captured: CapturedCall[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const invoke = monitor.invoke.bind(monitor);
    monitor.invoke = (req, callback) => {
        invoke(req, (err, res) => {
            if (!err && res) {
                captured.push({ token: req.getTok(), inputs: req.getArgs()?.toJavaScript() ?? {}, outputs: res.getReturn()?.toJavaScript() ?? {} });
            }
            callback(err, res);
        });
    };
    return captured;
}

/**
 * Starts recording on the current mock monitor (call right after setMocks).
 * Returns the list the registrations are appended to, in registration order.
 */
export function captureRegistrations(): CapturedResource[] {
    const captured: CapturedResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        register(req, (err, res) => {
            if (!err && res) captured.push(describe(req, res.getUrn()));
            callback(err, res);
        });
    };
    return captured;
}

function describe(req: RegisterRequest, urn: string): CapturedResource {
    const implicit = new Set<string>();
    req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((u) => implicit.add(u)));
    const explicit = req.getDependenciesList().filter((u) => !implicit.has(u)).map(nameOfUrn);
    const options: CapturedOptions = {};
    if (req.getProtect()) options.protect = true;
    if (req.getRetainondelete()) options.retainOnDelete = true;
    if (req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
    if (explicit.length > 0) options.dependsOn = explicit;
    if (req.getIgnorechangesList().length > 0) options.ignoreChanges = req.getIgnorechangesList();
    if (req.getReplaceonchangesList().length > 0) options.replaceOnChanges = req.getReplaceonchangesList();
    if (req.getAdditionalsecretoutputsList().length > 0) options.additionalSecretOutputs = req.getAdditionalsecretoutputsList();
    const inputs = pulumi.runtime.deserializeProperties(req.getObject() as Parameters<typeof pulumi.runtime.deserializeProperties>[0]) as Record<string, unknown>;
    return {
        type: req.getType(),
        name: req.getName(),
        urn,
        parent: req.getParent() ? nameOfUrn(req.getParent()) : undefined,
        custom: req.getCustom(),
        dependencies: [...new Set([...req.getDependenciesList(), ...implicit])].map(nameOfUrn),
        inputs: withoutProviderCode(inputs),
        options,
        providerCode: typeof inputs.__provider === "string" ? inputs.__provider : undefined,
        wire: req.getObject()?.toJavaScript() ?? {},
    };
}

/** A dynamic resource's `__provider` input is its serialized code: shown as a marker, not as source. */
function withoutProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
    if (typeof inputs.__provider !== "string") return inputs;
    return { ...inputs, __provider: `[serialized provider code, ${inputs.__provider.length} characters]` };
}
