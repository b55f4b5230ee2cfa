/**
 * Renders a mock run as the offline plan: a readable table, or the JSON
 * object other tools consume. Secrets always show as "[secret]".
 */
import { CapturedCall, CapturedOptions, CapturedResource, maskSecrets } from "./capture";
import { placeholderAmiId } from "./mocks";
import { countContents, Contents, describeContents, remoteContents } from "./remoteComponents";
import { MockRun } from "./run";

/** The public `--json` shape (extend it; never rename its fields). */
export interface PlanJson {
    kind: "offline-plan";
    stack: string;
    /** Config keys whose values were placeholders (not decrypted, or unset secrets). */
    placeholders: string[];
    resources: Array<{
        type: string;
        name: string;
        parent: string | null;
        inputs: Record<string, unknown>;
        options: CapturedOptions;
        /**
         * Only on a remote component (e.g. `awsx:ec2:Vpc`): the resources it creates inside
         * itself at `pulumi up`, by type, which the plan cannot list one by one.
         */
        contains?: Contents;
    }>;
    outputs: Record<string, unknown>;
    /**
     * The AMIs given by name (`aws.ec2.getAmi` by exact name and owner), in the order looked up;
     * empty when both are ids. Offline, `imageId` is a placeholder (`placeholder: true`):
     * `pulumi preview` looks the name up in AWS and shows the real id.
     */
    amiLookups: AmiLookup[];
    /**
     * Config keys still holding an example value (AWS's documentation account, an
     * example domain, the stack files' sample ids: config/examples.ts); empty when none.
     */
    exampleValues?: Array<{ key: string; message: string }>;
}

export interface AmiLookup {
    /** The config keys set to this name (e.g. `openvidu:masterAmiId`). */
    keys: string[];
    name: string;
    ownerId: string;
    /** Where the lookup ran: the image's region (amiSourceRegion, or the stack's). */
    region: string;
    imageId: string;
    placeholder: boolean;
}

const AMI_KEYS = ["openvidu:masterAmiId", "openvidu:mediaAmiId"];

/** What the program's getAmi calls asked and got (components/images.ts). */
export function amiLookups(calls: readonly CapturedCall[], config: Record<string, string> = {}): AmiLookup[] {
    return calls.filter((call) => call.token === "aws:ec2/getAmi:getAmi").map((call) => {
        const filters = (call.inputs.filters ?? []) as Array<{ name: string; values: string[] }>;
        const name = filters.find((f) => f.name === "name")?.values.join(",") ?? "";
        const ownerId = ((call.inputs.owners ?? []) as string[]).join(",");
        const region = String(call.outputs.region ?? call.inputs.region ?? "");
        const imageId = String(call.outputs.imageId ?? call.outputs.id);
        return {
            keys: AMI_KEYS.filter((key) => config[key] === name), name, ownerId, region, imageId,
            placeholder: imageId === placeholderAmiId(ownerId, region, name),
        };
    });
}

export const OFFLINE_NOTICE =
    "This is an OFFLINE PLAN, not a cloud preview: the program ran in-process under Pulumi's mocks, so it " +
    "lists everything `pulumi up` would declare, but cannot know what already exists in your account " +
    "(use `pulumi preview` with credentials for the real diff).";

/** @param config the stack's config (full keys), to say which keys a looked-up AMI name came from */
export function planJson(stack: string, run: MockRun, placeholders: string[], config: Record<string, string> = {}): PlanJson {
    return {
        kind: "offline-plan",
        stack,
        placeholders,
        resources: run.resources.map((r) => {
            const contains = remoteContents(r.type, r.inputs);
            return {
                type: r.type,
                name: r.name,
                parent: r.parent ?? null,
                inputs: maskSecrets(r.inputs) as Record<string, unknown>,
                options: r.options,
                ...(contains ? { contains } : {}),
            };
        }),
        outputs: maskSecrets(run.outputs) as Record<string, unknown>,
        amiLookups: amiLookups(run.calls, config),
    };
}

/** Inputs left out of the table's summary: bulky, or noise for a reviewer. */
const SUMMARY_SKIP = new Set(["tags", "tagsAll", "__provider", "policy", "assumeRolePolicy", "userData", "eventPattern"]);
/** The text plan fits a 100-column terminal; `--wide` (or `--json`) shows everything. */
export const PLAN_TEXT_WIDTH = 100;

/** The properties that matter, in one line: the scalar inputs and one level of nesting. */
function summary(resource: CapturedResource, wide: boolean): string {
    const parts: string[] = [];
    const masked = maskSecrets(resource.inputs) as Record<string, unknown>;
    for (const [key, value] of Object.entries(masked)) {
        if (SUMMARY_SKIP.has(key) || value === undefined || value === null) continue;
        parts.push(`${key}=${wide ? JSON.stringify(value) ?? String(value) : compact(value)}`);
    }
    return parts.join(" ");
}

/** Cuts a line to `width` characters, marking the cut. */
function fit(line: string, width: number): string {
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Wraps text at word boundaries to `width` columns; its own indentation stays, continuation lines start with `indent`. */
function wrap(text: string, width: number, indent = ""): string[] {
    const lead = /^ */.exec(text)![0];
    const lines: string[] = [];
    let line = lead;
    for (const word of text.slice(lead.length).split(" ")) {
        if (line.trim() !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = `${indent}${word}`;
        } else {
            line = line.trim() === "" ? `${line}${word}` : `${line} ${word}`;
        }
    }
    return [...lines, line];
}

/**
 * A resource type as Pulumi's own preview shows it: `aws:iam/role:Role` →
 * `aws:iam:Role` (the module's file part adds nothing a reader needs).
 */
export function displayType(type: string): string {
    const match = /^([^:]+):([^/:]+)\/[^:]+:([^:]+)$/.exec(type);
    return match ? `${match[1]}:${match[2]}:${match[3]}` : type;
}

function compact(value: unknown): string {
    if (typeof value !== "object") return String(value);
    const json = JSON.stringify(value);
    return json.length > 60 ? `${json.slice(0, 59)}…` : json;
}

function optionFlags(options: CapturedOptions): string {
    const flags: string[] = [];
    if (options.protect) flags.push("protect");
    if (options.retainOnDelete) flags.push("retainOnDelete");
    if (options.ignoreChanges) flags.push(`ignoreChanges(${options.ignoreChanges.join(",")})`);
    if (options.dependsOn) flags.push(`dependsOn(${options.dependsOn.join(",")})`);
    return flags.join(" ");
}

function table(rows: string[][]): string[] {
    const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
    return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd());
}

/**
 * The resource table. Wide: TYPE, NAME, PARENT, OPTIONS on one line each. Narrow (100
 * columns): Pulumi's short types and the name (which carries its parent's), the options
 * on a line of their own below.
 */
function resourceTable(resources: Array<{ type: string; name: string; parent: string; options: string }>, wide: boolean): string[] {
    if (wide) return table([["TYPE", "NAME", "PARENT", "OPTIONS"], ...resources.map((r) => [r.type, r.name, r.parent, r.options])]);
    const rows = table([["TYPE", "NAME"], ...resources.map((r) => [displayType(r.type), r.name])]);
    return [rows[0], ...resources.flatMap((r, i) => [rows[i + 1], ...(r.options ? [`    ↳ ${r.options}`] : [])])];
}

/** @param options.wide no line is cut (else every line fits PLAN_TEXT_WIDTH columns) */
export function planText(plan: PlanJson, run: MockRun, options: { wide?: boolean } = {}): string {
    const width = options.wide ? Infinity : PLAN_TEXT_WIDTH;
    const rows: Array<{ type: string; name: string; parent: string; options: string }> = [];
    const details: string[] = [];
    const inside: string[] = [];
    let insideCount = 0;
    for (const resource of run.resources) {
        const contains = remoteContents(resource.type, resource.inputs);
        const flags = optionFlags(resource.options);
        if (contains) {
            insideCount += countContents(contains);
            inside.push(`  ${resource.name} (${resource.type}) creates ${describeContents(contains)}`);
        }
        rows.push({
            type: resource.type, name: resource.name, parent: resource.parent ?? "",
            options: contains ? `${flags} (+${countContents(contains)} inside)`.trim() : flags,
        });
        const line = summary(resource, options.wide ?? false);
        if (line) details.push(`  ${resource.name}: ${line}`);
    }
    const outputs = Object.entries(plan.outputs).map(([k, v]) => `  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    const lines = [
        ...(options.wide ? [OFFLINE_NOTICE] : wrap(OFFLINE_NOTICE, PLAN_TEXT_WIDTH)),
        ...(options.wide ? [] : ["(Lines are cut to fit 100 columns: --wide shows them whole, --json everything.)"]),
        "",
        insideCount > 0
            ? `Stack ${plan.stack}: ${run.resources.length} resources would be declared, and ${insideCount} more inside ` +
                `remote components (${run.resources.length + insideCount} in all).`
            : `Stack ${plan.stack}: ${run.resources.length} resources would be declared.`,
        "",
        ...resourceTable(rows, options.wide ?? false),
        ...(inside.length > 0 ? ["", "Inside remote components (created by their provider at `pulumi up`, not listed one by one):",
            ...inside.flatMap((line) => (options.wide ? [line] : wrap(line, width, "      ")))] : []),
        "",
        "Properties:",
        ...details,
        "",
        "Outputs:",
        ...outputs,
    ];
    if (plan.amiLookups.length > 0) {
        lines.push("", "AMIs looked up by name (aws.ec2.getAmi, exact name, that owner only; offline the ids are placeholders, " +
            "`pulumi preview` shows the real ones):",
            // Wrapped, never cut: which image a name resolved to is what a reviewer checks here.
            ...plan.amiLookups.flatMap((l) => {
                const line = `  ${l.keys.join(", ") || "(AMI)"} = "${l.name}" owned by ${l.ownerId} in ${l.region} → ` +
                    `${l.imageId}${l.placeholder ? " (placeholder)" : ""}`;
                return options.wide ? [line] : wrap(line, width, "      ");
            }));
    }
    if ((plan.exampleValues ?? []).length > 0) {
        lines.push("", "Example values still in the stack file (replace them before `pulumi up`):",
            ...(plan.exampleValues ?? []).flatMap((e) => (options.wide ? [`  ${e.key} ${e.message}`] : wrap(`  ${e.key} ${e.message}`, width, "      "))));
    }
    if (plan.placeholders.length > 0) {
        lines.push("", "Placeholders (secrets not decrypted or not set; pass --secret KEY=VALUE to supply one):",
            ...plan.placeholders.map((k) => `  ${k} = [placeholder]`));
    }
    // Item lines (indented) are cut, prose is wrapped; --wide leaves every line whole.
    return lines.join("\n").split("\n").flatMap((line) => (line.length <= width ? [line] : line.startsWith("  ") ? [fit(line, width)] : wrap(line, width))).join("\n");
}
