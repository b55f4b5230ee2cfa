/**
 * What the mutants must cover: every value rule of config/rules.ts (each
 * partition's forms and regions included), every check of the masters' boot
 * script, every security default of a resource and every parsing and merge
 * rule of the `.env`. Each guard is one source line; a mutant covers it when
 * its `from` spans that line. Lines are found by pattern where the code has a
 * shape (a decision, a `fail`), and listed by hand where it has none (the
 * security defaults), with a pattern that finds security-looking lines the
 * list forgot (tests/mutationInventory.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import type { Mutant } from "./mutants";

export type Area = "config" | "boot" | "security" | "env";
export const AREAS: readonly Area[] = ["config", "boot", "security", "env"];
export type Partition = "aws" | "aws-cn" | "aws-us-gov";

export interface Guard {
    area: Area;
    file: string;
    /** 1-based line number. */
    line: number;
    text: string;
    /** Set when the guard is one partition's handling on that line: only a mutant of that partition covers it. */
    partition?: Partition;
}

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string): string[] => fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
const isComment = (text: string): boolean => /^\s*(\/\/|\/?\*|#(?!!))/.test(text) && !/^\s*#\s*(if|fi)\b/.test(text);

/** config/rules.ts: each line that decides (a test, a comparison, a bucket rule), and the partitions' lines. */
const CONFIG_FILE = "config/rules.ts";
const CONFIG_DECISION = /\bif \(|\? undefined|\? "|\.test\(|\.includes\(|\.exec\(|\.length [<>]|^\s+\[.+, "/;

/** The masters' boot: the embedded check's tests and the script's fail paths, bounds and the hold. */
const BOOT_FILE = "components/envFile/masterBoot.ts";
const BOOT_CHECK = /sys\.exit\(|problems\.append\(|^\s*if |\bfail "|return 1\b|timeout \$\{b\.|^(umask|touch|mv -f|set -)|startsWith\("cn-"\)/;
/** Boot lines that are no check: knobs for the tests, and what only decides how a message reads. */
const BOOT_NOT_CHECKS = [
    "if [ -n \"\\${AWS_ENDPOINT_URL_S3:-}\" ]; then", // the test's endpoint; unset on a real master
    "if [ \"\\${status:-000}\" = \"000\" ]; then", // only the log line's wording
    "if [ \"\\${status}\" = \"200\" ]; then\n        log \"tagged", // best-effort tag: only the log line's wording
    "if [ -z \"\\${instance_id:-}\" ] || [ -z \"\\${credentials:-}\" ]; then", // best-effort tag without credentials
    "--timeout ${b.tagTimeoutSeconds} --output", // the signer's own timeout; `timeout` on the line before bounds it
    "if [ -s \"\\${lines}\" ] && [ -n \"\\${credentials:-}\" ]; then", // best-effort lines: without them the call fails and is logged (ignored)
    "--timeout ${b.logsTimeoutSeconds} --log-events", // the signer's own timeout; `timeout` on the line before bounds it (boot-logs-unbounded)
    "if [ \"\\${status}\" = 200 ]; then log \"sent this boot's lines", // best-effort lines: only the log line's wording
    "--region \"\\${CONFIG_REGION}\" --timeout ${b.s3TimeoutSeconds}", // likewise
    "umask 077\ncd", // belt and braces: every file the script creates is mktemp's, 0600 whatever the umask
    "set -uo pipefail", // shell options: each step's status is tested explicitly, none relies on them
    // Defensive: bootcmd creates the directory on every boot; without these checks the next step fails closed all the same.
    "cd \"\\${OPENVIDU_DIR}\" || fail", "download=\"$(mktemp", "verified=\"$(mktemp",
];

/** The `.env`'s parsing (dotenv.ts), merge (merge.ts) and key ownership (keys.ts). */
const ENV_FILES = ["components/envFile/dotenv.ts", "components/envFile/merge.ts", "components/envFile/keys.ts"];
const ENV_DECISION = /\bif \(|\? |&&|\|\||\.test\(|\.exec\(|^const [A-Z_]+ = \/|\.some\(|\.has\(/;

/**
 * The security defaults, by file and the text of their line (each exactly once
 * in its file). A line that looks like one but is not listed fails
 * tests/mutationInventory.test.ts: list it, or add it to SECURITY_NOT_DEFAULTS.
 */
export const SECURITY_DEFAULTS: Record<string, string[]> = {
    "components/nodeLaunchTemplate.ts": [
        "httpTokens: \"required\",", "metadataHopLimit: 1,", "httpPutResponseHopLimit: NODE_LAUNCH_DEFAULTS.metadataHopLimit,", "encrypted: \"true\",",
    ],
    "components/masterTier.ts": [
        "sslPolicy: \"ELBSecurityPolicy-TLS13-1-2-2021-06\",", "sslPolicy: MASTER_TIER.sslPolicy,", "dropInvalidHeaderFields: true,",
        "redirect: { protocol: \"HTTPS\", port: \"443\"",
    ],
    "components/operations.ts": ["enableKeyRotation: true,", "kmsMasterKeyId: key.arn,",
        "Action: [\"kms:Decrypt\", \"kms:GenerateDataKey*\"], Resource: \"*\",\n                            Condition: { StringEquals: { \"aws:SourceAccount\": account } },",
        "Action: \"sns:Publish\", Resource: topicArn,\n                        Condition: { StringEquals: { \"aws:SourceAccount\": account } },",
    ],
    "components/secrets.ts": [
        "this.openviduSecret = pulumi.secret(args.openviduSecret);", "this.openviduSecret = pulumi.secret(generated.result);",
        "this.coturnSharedSecret = pulumi.secret(coturn.hex);",
    ],
    "components/envFile/content.ts": [
        "OPENVIDU_PRO_LICENSE: pulumi.secret(config.license),", "OPENVIDU_SECRET: pulumi.secret(inputs.openviduSecret),",
        "COTURN_SHARED_SECRET_KEY: pulumi.secret(inputs.coturnSharedSecret),", "ELASTICSEARCH_PASSWORD: pulumi.secret(es.password)",
        "...Object.fromEntries(Object.entries(secretExtraEnv).map(([key, value]) => [key, pulumi.secret(value)])),",
    ],
    "components/envFile/index.ts": [
        "secretSettings: Object.fromEntries(Object.entries(args.secretSettings).map(([key, value]) => [key, pulumi.secret(value)])),",
        "additionalSecretOutputs: [\"secretSettings\", \"lastWritten\", \"replacedByLastWrite\", \"fileAtLastUp\"],",
    ],
    "components/storage.ts": [
        "const retained = { parent: this, retainOnDelete: true };", "forceDestroy: false,", "rule: { objectOwnership: \"BucketOwnerEnforced\" },",
        "blockPublicAcls: true,", "blockPublicPolicy: true,", "ignorePublicAcls: true,", "restrictPublicBuckets: true,",
        "rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: \"AES256\" }, bucketKeyEnabled: true }],",
        "versioningConfiguration: { status: \"Enabled\" },", "Condition: { Bool: { \"aws:SecureTransport\": \"false\" } },",
        "Resource: [bucketArn, `${bucketArn}/*`],", "Condition: { ArnNotEquals: { \"aws:PrincipalArn\": allowed } },",
        "if (allowed.length === 0) throw", "NotAction: [...ENV_READ_ACTIONS],", "Condition: { ArnEquals: { \"aws:PrincipalArn\": readerArns } },",
    ],
    "components/replicationState.ts": ["atRestEncryptionEnabled: true,", "transitEncryptionEnabled: false,", "sqsManagedSseEnabled: true,"],
    "components/images.ts": ["encrypted: true,"],
    "components/network.ts": [
        "{ id: \"api-from-lb\", description: \"OpenVidu from the load balancer\", protocol: \"tcp\", fromPort: 4443, toPort: 4443, source: { group: \"loadBalancer\" } },",
        "{ id: \"replication\", description: \"Replication manager between masters\"",
        "{ id: \"media-agent\", description: \"Media node controller, from the masters\"",
        "{ id: \"redis\", description: \"Redis, from the masters\"",
        "if (rule.source === \"world\") {",
    ],
    "components/instanceRole.ts": [
        "Statement: [{ Effect: \"Allow\", Principal: { Service: \"ec2.amazonaws.com\" }, Action: \"sts:AssumeRole\" }],",
        "} else if (input.ssmAccess === \"session\") {",
    ],
    "components/masterPermissions.ts": [
        "Action: [\"sqs:*\"],", "Resource: input.queueArn,", "\"ec2:Describe*\",",
        "Resource: `arn:${input.partition}:ec2:${input.region}:${input.accountId}:instance/*`,",
        "Condition: { StringEquals: { \"ec2:ResourceTag/aws:autoscaling:groupName\": groups } },",
        "Resource: groups.map((group) => autoScalingGroupArn(input, group)),",
        "Resource: `${input.bucketArn}/*`,",
    ],
    "config/schema.ts": [
        "{ key: \"envTakeover\", kind: \"boolean\", default: false,", "{ key: \"deleteEnvOnDestroy\", kind: \"boolean\", default: false,",
        "{ key: \"mediaSsmAccess\", kind: \"string\", default: \"session\",", "{ key: \"overwriteDnsRecord\", kind: \"boolean\", default: false,",
    ],
};

/** Lines of components/ that look like security settings and why each is not a default to guard. */
export const SECURITY_NOT_DEFAULTS: string[] = [
    "ServerSideEncryption?: string;", // a field of S3's answer, read by the integrity check
    "if (facts.SSECustomerAlgorithm || /^aws:kms/.test(facts.ServerSideEncryption ?? \"\")) return undefined;", // the integrity check (s3-kms-etag-as-md5)
    "new aws.vpc.SecurityGroupIngressRule(`${name}-${role}-${rule.id}-v4`, { ...base, cidrIpv4: \"0.0.0.0/0\" }, parent);", // the public ports, by table
    "new aws.vpc.SecurityGroupIngressRule(`${name}-${role}-${rule.id}-v6`, { ...base, cidrIpv6: \"::/0\" }, parent);",
    "new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-egress-v4`, { ...egress, cidrIpv4: \"0.0.0.0/0\" }, parent);", // egress open, as the reference
    "new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-egress-v6`, { ...egress, cidrIpv6: \"::/0\" }, parent);",
    "return pulumi.secret(pulumi.all([fileAtLastUp, stackSecret]).apply(([file, own]) => file?.OPENVIDU_SECRET || own));", // secret-output-generated
];

/** How security-looking lines are found in components/ (and the schema's defaults). */
export const SECURITY_LOOKING = /encrypted|EncryptionEnabled|sseAlgorithm|kmsMasterKeyId|enableKeyRotation|httpTokens|HopLimit|blockPublic|ignorePublicAcls|restrictPublicBuckets|SecureTransport|"aws:PrincipalArn"|retainOnDelete|deletionProtection|forceDestroy|sslPolicy|dropInvalidHeaderFields|cidrIpv[46]|objectOwnership|sqsManagedSse|pulumi\.secret\(|additionalSecretOutputs/;

/** Regex constants (`const NAME = /.../`) by name, with their line. */
function regexConstants(lines: string[]): Map<string, number> {
    const found = new Map<string, number>();
    lines.forEach((text, i) => {
        const match = /^const ([A-Z_]+) = \//.exec(text);
        if (match) found.set(match[1], i + 1);
    });
    return found;
}

function linesMatching(area: Area, file: string, pattern: RegExp, skip: (text: string, index: number, lines: string[]) => boolean = () => false): Guard[] {
    const lines = read(file);
    return lines.flatMap((text, i) => (!isComment(text) && pattern.test(text) && !skip(text, i, lines) ? [{ area, file, line: i + 1, text: text.trim() }] : []));
}

function configGuards(): Guard[] {
    const guards = linesMatching("config", CONFIG_FILE, CONFIG_DECISION, (text) => /^const [A-Z_]+ = \//.test(text));
    const lines = read(CONFIG_FILE);
    lines.forEach((text, i) => {
        const partitions: Partition[] = text.includes("(?:-cn|-us-gov)?") ? ["aws-cn", "aws-us-gov"]
            : text.includes("Object.values(Region)") ? ["aws", "aws-cn", "aws-us-gov"] : [];
        for (const partition of partitions) guards.push({ area: "config", file: CONFIG_FILE, line: i + 1, text: text.trim(), partition });
    });
    return guards;
}

function bootGuards(): Guard[] {
    const skipped = new Set(BOOT_NOT_CHECKS.map((anchor) => {
        const line = lineOf(BOOT_FILE, anchor);
        if (line === undefined) throw new Error(`BOOT_NOT_CHECKS: not found exactly once in ${BOOT_FILE}: ${anchor}`);
        return line;
    }));
    return linesMatching("boot", BOOT_FILE, BOOT_CHECK, (_, i) => skipped.has(i + 1)).map((guard) =>
        guard.text.includes("startsWith(\"cn-\")") ? { ...guard, partition: "aws-cn" as const } : guard);
}

function envGuards(): Guard[] {
    return ENV_FILES.flatMap((file) => linesMatching("env", file, ENV_DECISION,
        (text) => /^export (const|type|interface)|^\s*(\/\*\*|\*)/.test(text) || (file.endsWith("keys.ts") && !/OWNED\.has|PREFIXES\.some/.test(text))));
}

/** The line (1-based) where `anchor` starts; undefined unless it occurs exactly once. */
export function lineOf(file: string, anchor: string): number | undefined {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    if (text.split(anchor).length !== 2) return undefined;
    return text.slice(0, text.indexOf(anchor)).split("\n").length;
}

function securityGuards(): Guard[] {
    return Object.entries(SECURITY_DEFAULTS).flatMap(([file, anchors]) => anchors.map((anchor) => {
        const line = lineOf(file, anchor);
        if (line === undefined) throw new Error(`security default not found exactly once in ${file}: ${anchor}`);
        return { area: "security" as const, file, line, text: anchor };
    }));
}

export function guards(): Guard[] {
    return [...configGuards(), ...bootGuards(), ...securityGuards(), ...envGuards()];
}

/** The lines (1-based, inclusive) a mutant's `from` spans; undefined when it does not apply (stale). */
export function spanOf(mutant: Mutant): [number, number] | undefined {
    const start = lineOf(mutant.file, mutant.from);
    // A `from` that ends with its line's newline does not reach into the next line.
    return start === undefined ? undefined : [start, start + mutant.from.replace(/\n$/, "").split("\n").length - 1];
}

/** The mutants covering `guard`: on its line, or on a regex constant its line uses (config, env), and of its partition. */
export function coveringMutants(guard: Guard, mutants: readonly Mutant[]): Mutant[] {
    const lines = [guard.line];
    if ((guard.area === "config" || guard.area === "env") && guard.partition === undefined) {
        for (const [name, line] of regexConstants(read(guard.file))) if (new RegExp(`\\b${name}\\b`).test(guard.text)) lines.push(line);
    }
    return mutants.filter((m) => {
        if (m.file !== guard.file || (guard.partition !== undefined && m.partition !== guard.partition)) return false;
        const span = spanOf(m);
        return span !== undefined && lines.some((line) => span[0] <= line && line <= span[1]);
    });
}
