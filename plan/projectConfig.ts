/**
 * The checks the Pulumi CLI makes on a stack's configuration before it runs
 * the program, from what `Pulumi.yaml`'s `config:` block declares: a key of
 * the project's namespace with no `default` (or `value`) must be set; a
 * `secret: true` key must be encrypted; a typed key's value must have its
 * type. Modelled on the CLI's sdk/go/common/workspace (config.go,
 * project.go: `mergeConfig`, `validateStackConfigValue`,
 * `ValidateConfigValue`) of @pulumi/pulumi's version, so the offline plan
 * rejects what `pulumi preview` rejects. Where the model stops: the CLI
 * stops at the first wrong type (this lists them all), and values from
 * Pulumi ESC environments are not seen offline.
 */
import type { ConfigProblem } from "../config/errors";

/** One declaration of `Pulumi.yaml`'s `config:` block (the long form). */
export interface ProjectConfigType {
    type?: string;
    items?: ProjectConfigItemsType;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

export interface ProjectConfigItemsType {
    type: string;
    items?: ProjectConfigItemsType;
}

/** A stack file's value as YAML gave it, and whether it was encrypted (`secure:`). */
export interface StackValue {
    value: unknown;
    secure: boolean;
}

/** The declared type as the CLI names it: `string`, `array<string>`, ... */
export function fullTypeName(type: string, items?: ProjectConfigItemsType): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/**
 * The CLI's `ValidateConfigValue`. A plain stack value reaches it as a
 * string (YAML scalars are kept as text); a YAML list or map as the
 * structure. So `true` and "true" are booleans, "5" is an integer, and a
 * comma-separated string is never an array.
 */
export function matchesType(type: string, items: ProjectConfigItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            // Go's strconv.Atoi: optional sign, decimal digits only.
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items.type, items.items, item));
    }
}

/** A scalar as the CLI stores it: text. Lists and maps stay structured. */
function asCliValue(value: unknown): unknown {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return value;
    return String(value);
}

function hintFor(type: string, value: unknown): string {
    if (type === "array" && typeof value === "string") {
        return ": write it as a YAML list (one `- item` per line), or set it with " +
            "`pulumi config set --path '<key>[0]' <item>`; a comma-separated or JSON string is a string";
    }
    if (type === "boolean") return ": write true or false";
    if (type === "integer") return ": write a whole number";
    return "";
}

/**
 * Every problem the CLI would raise for this stack's configuration, one per
 * key (full key names). `present` lists keys supplied outside the stack
 * file (placeholders and `--secret` values): they count as set.
 */
export function cliConfigProblems(
    projectName: string,
    declared: Record<string, ProjectConfigType>,
    stack: Record<string, StackValue>,
    present: ReadonlySet<string> = new Set(),
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const shortOrFull of Object.keys(declared).sort()) {
        const decl = declared[shortOrFull];
        const key = shortOrFull.includes(":") ? shortOrFull : `${projectName}:${shortOrFull}`;
        if (!key.startsWith(`${projectName}:`)) continue; // other namespaces carry only a `value`
        const given = stack[key];
        if (given === undefined) {
            if (decl.default === undefined && decl.value === undefined && !present.has(key)) {
                problems.push({
                    key,
                    message: "is missing: Pulumi.yaml declares it without a default, so `pulumi preview` refuses the stack " +
                        `until it is set (\`pulumi config set ${decl.secret ? "--secret " : ""}${key} <value>\`)`,
                });
            }
            continue;
        }
        if (decl.type === undefined) continue;
        if (decl.secret && !given.secure) {
            problems.push({ key, message: `must be encrypted as it's secret: set it with \`pulumi config set --secret ${key} <value>\`` });
            continue;
        }
        if (given.secure) continue; // encrypted: its type cannot be seen offline
        const value = asCliValue(given.value);
        if (!matchesType(decl.type, decl.items, value)) {
            problems.push({
                key,
                message: `must be of type '${fullTypeName(decl.type, decl.items)}' (as Pulumi.yaml declares it; ` +
                    `\`pulumi preview\` rejects the stack)${hintFor(decl.type, value)}`,
            });
        }
    }
    return problems;
}
