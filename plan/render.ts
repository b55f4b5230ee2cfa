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
const SUMMARY_WIDTH = 110;

/** The properties that matter, in one line: the scalar inputs and one level of nesting. */
function summary(resource: CapturedResource): string {
    const parts: string[] = [];
    const masked = maskSecrets(resource.inputs) as Record<string, unknown>;
    for (const [key, value] of Object.entries(masked)) {
        if (SUMMARY_SKIP.has(key) || value === undefined || value === null) continue;
        parts.push(`${key}=${compact(value)}`);
    }
    const text = parts.join(" ");
    return text.length > SUMMARY_WIDTH ? `${text.slice(0, SUMMARY_WIDTH - 1)}…` : text;
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

function table(rows: string[][]): string {
    const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
    return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd()).join("\n");
}

export function planText(plan: PlanJson, run: MockRun): string {
    const rows = [["TYPE", "NAME", "PARENT", "OPTIONS"]];
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
        rows.push([resource.type, resource.name, resource.parent ?? "", contains ? `${flags} (+${countContents(contains)} inside)`.trim() : flags]);
        const line = summary(resource);
        if (line) details.push(`  ${resource.name}: ${line}`);
    }
    const outputs = Object.entries(plan.outputs).map(([k, v]) => `  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    const lines = [
        OFFLINE_NOTICE,
        "",
        insideCount > 0
            ? `Stack ${plan.stack}: ${run.resources.length} resources would be declared, and ${insideCount} more inside ` +
                `remote components (${run.resources.length + insideCount} in all).`
            : `Stack ${plan.stack}: ${run.resources.length} resources would be declared.`,
        "",
        table(rows),
        ...(inside.length > 0 ? ["", "Inside remote components (created by their provider at `pulumi up`, not listed one by one):", ...inside] : []),
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
            ...plan.amiLookups.map((l) => `  ${l.keys.join(", ") || "(AMI)"} = "${l.name}" owned by ${l.ownerId} in ${l.region} → ` +
                `${l.imageId}${l.placeholder ? " (placeholder)" : ""}`));
    }
    if (plan.placeholders.length > 0) {
        lines.push("", "Placeholders (secrets not decrypted or not set; pass --secret KEY=VALUE to supply one):",
            ...plan.placeholders.map((k) => `  ${k} = [placeholder]`));
    }
    return lines.join("\n");
}
