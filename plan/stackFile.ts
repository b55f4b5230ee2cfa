/**
 * Reads a stack's configuration the way the Pulumi CLI would hand it to the
 * program: Pulumi.yaml's declared defaults, then Pulumi.<stack>.yaml. Without
 * the CLI, `secure:` values cannot be decrypted; they (and required secrets
 * that are unset) become clearly marked placeholders, unless given with
 * `--secret`. It also runs the CLI's own checks of the values against
 * Pulumi.yaml's declarations (plan/projectConfig.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { ConfigProblem } from "../config/errors";
import { CONFIG_NAMESPACE, SECRET_KEYS } from "../config/schema";
import { cliConfigProblems, ProjectConfigType, StackValue } from "./projectConfig";

/** The value a placeholder secret gets: valid for every secret rule, obviously not real. */
export const PLACEHOLDER_SECRET = "offline-plan-placeholder-secret";

export interface StackConfig {
    /** Full keys → values as strings (structured values JSON-encoded). */
    config: Record<string, string>;
    /** Full keys whose values are secrets. */
    secretKeys: string[];
    /** Full keys whose values are placeholders (encrypted, or unset but required). */
    placeholders: string[];
    /** What the Pulumi CLI would reject before running the program (see plan/projectConfig.ts). */
    cliProblems: ConfigProblem[];
}

/** A stack or project file that cannot be read; the message is one line naming the file (and line). */
export class StackFileError extends Error {}

function fullKey(key: string): string {
    return key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The file as the user would type it: relative to the working directory when inside it. */
function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

const YAML_HINTS: Record<string, string> = {
    TAB_AS_INDENT: " (indent with spaces)",
    DUPLICATE_KEY: "",
    BAD_INDENT: " (check the indentation of this line and the one above)",
    BLOCK_AS_IMPLICIT_KEY: " (check the indentation of this line and the next)",
    MULTILINE_IMPLICIT_KEY: " (check the indentation of this line and the next)",
    MISSING_CHAR: " (a quote or bracket opened earlier is not closed)",
};

/** Parses a YAML file; a syntax error becomes one line: `file:line:column: what is wrong`. */
function readYaml(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new StackFileError(`${path.basename(file)} not found in ${path.dirname(file)}`);
    }
    const text = fs.readFileSync(file, "utf8");
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
    const error = doc.errors[0];
    if (error) {
        const { line, col } = lines.linePos(error.pos[0]);
        const what = error.code === "DUPLICATE_KEY"
            ? `duplicate key ${JSON.stringify(duplicateKeyAt(text, error.pos[0]))} (each key may appear once)`
            : `${error.message.split("\n")[0].replace(/ at line \d+, column \d+.*$/, "")}${YAML_HINTS[error.code] ?? ""}`;
        throw new StackFileError(`${displayPath(file)}:${line}:${col}: ${what}`);
    }
    const data = doc.toJS() as unknown;
    if (data === null || data === undefined) return {};
    if (typeof data !== "object" || Array.isArray(data)) {
        throw new StackFileError(`${displayPath(file)}:1:1: must be a map of settings (such as \`config:\`), not a ${Array.isArray(data) ? "list" : "single value"}`);
    }
    const config = (data as Record<string, unknown>).config;
    if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) {
        const pos = doc.contents && YAML.isMap(doc.contents) ? doc.contents.get("config", true) : undefined;
        const { line, col } = lines.linePos(YAML.isNode(pos) && pos.range ? pos.range[0] : 0);
        throw new StackFileError(`${displayPath(file)}:${line}:${col}: \`config:\` must be a map of key: value`);
    }
    return data as Record<string, unknown>;
}

/** The key text starting at `offset` (the YAML library reports where a duplicate key starts). */
function duplicateKeyAt(text: string, offset: number): string {
    const rest = text.slice(offset).split("\n")[0];
    const colon = rest.search(/:(\s|$)/);
    return (colon >= 0 ? rest.slice(0, colon) : rest).trim().replace(/^["']|["']$/g, "");
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value;
}

/**
 * @param projectDir where Pulumi.yaml and the stack files are
 * @param stackName the stack (reads Pulumi.<stackName>.yaml)
 * @param secrets `openvidu:KEY=VALUE` pairs given on the command line
 */
export function readStackConfig(projectDir: string, stackName: string, secrets: Record<string, string> = {}): StackConfig {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const stack = readYaml(path.join(projectDir, `Pulumi.${stackName}.yaml`));
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders = new Set<string>();
    const declared = (project.config ?? {}) as Record<string, unknown>;
    const declarations: Record<string, ProjectConfigType> = {};

    for (const [key, decl] of Object.entries(declared)) {
        // The long form ({type, default, ...}) or the short form (`key: value`, an untyped default).
        const long: ProjectConfigType = decl !== null && typeof decl === "object" && !Array.isArray(decl)
            ? decl as ProjectConfigType : { default: decl };
        declarations[key] = long;
        const fallback = long.value ?? long.default;
        if (fallback !== undefined && fallback !== null) config[fullKey(key)] = asConfigString(fallback);
    }
    const stackValues: Record<string, StackValue> = {};
    for (const [key, value] of Object.entries((stack.config ?? {}) as Record<string, unknown>)) {
        const name = fullKey(key);
        stackValues[name] = { value, secure: isSecure(value) };
        if (isSecure(value)) {
            config[name] = PLACEHOLDER_SECRET;
            secretKeys.add(name);
            placeholders.add(name);
        } else {
            config[name] = asConfigString(value);
        }
    }
    for (const key of requiredSecrets(config)) {
        if (config[key] === undefined) {
            config[key] = PLACEHOLDER_SECRET;
            secretKeys.add(key);
            placeholders.add(key);
        }
    }
    for (const [key, value] of Object.entries(secrets)) {
        config[fullKey(key)] = value;
        secretKeys.add(fullKey(key));
        placeholders.delete(fullKey(key));
        // Given on the command line: as if set with `pulumi config set --secret`.
        stackValues[fullKey(key)] = { value, secure: true };
    }
    const projectName = typeof project.name === "string" ? project.name : CONFIG_NAMESPACE;
    const cliProblems = cliConfigProblems(projectName, declarations, stackValues, placeholders);
    return { config, secretKeys: [...secretKeys], placeholders: [...placeholders], cliProblems };
}

/** Secret keys the program cannot run without, given the rest of the config. */
function requiredSecrets(config: Record<string, string>): string[] {
    const required = [`${CONFIG_NAMESPACE}:license`];
    if (config[`${CONFIG_NAMESPACE}:elasticsearchEnabled`] !== "false") {
        required.push(`${CONFIG_NAMESPACE}:elasticsearchPassword`);
    }
    return required.filter((key) => SECRET_KEYS.includes(key.slice(CONFIG_NAMESPACE.length + 1)));
}

/** Parses repeated `--secret openvidu:KEY=VALUE` arguments. */
export function parseSecretArgs(pairs: string[]): Record<string, string> {
    const secrets: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) {
            throw new StackFileError(`--secret takes openvidu:KEY=VALUE (got "${pair.split("=")[0]}")`);
        }
        secrets[fullKey(pair.slice(0, eq))] = pair.slice(eq + 1);
    }
    return secrets;
}
