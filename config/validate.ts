import * as pulumi from "@pulumi/pulumi";
import { isProgramOwnedKey } from "../components/envFile/keys";
import { ConfigError, ConfigProblem } from "./errors";
import { HowToSet, withPulumiConfigSet } from "./howToSet";
import { otherNamespaceProblems } from "./namespaces";
import { fullKey, parseValues, ParsedValues } from "./parse";
import * as rules from "./rules";
import { KEY_SPECS } from "./schema";
import { MediaServer, NodeCounts, OpenViduConfig, RecordingsStorageClass, SsmAccess } from "./types";

export interface ValidationContext {
    /** The Pulumi stack name: the default cluster id and physical names derive from it. */
    stackName: string;
    /** `aws:region` (or the AWS_REGION the provider would use); undefined is a problem. */
    region?: string;
    /** Short keys stored as secrets, or "all" when the caller marks every secret key itself. */
    secretKeys: ReadonlySet<string> | "all";
    /** Full keys of the stack's config outside `openvidu:` (checked for typos: `aws:regoin`, `openvido:...`). */
    otherKeys?: readonly string[];
    /** How messages say to set a key: `pulumi config set` unless the caller sets keys another way (the Automation API). */
    howToSet?: HowToSet;
}

const MEDIA_SERVERS: readonly MediaServer[] = ["mediasoup", "kurento"];

/** The keys' static defaults (schema.ts), by short key. */
const DEFAULTS: Record<string, string | number | boolean> = Object.fromEntries(
    KEY_SPECS.filter((s) => s.default !== undefined && !Array.isArray(s.default)).map((s) => [s.key, s.default as string | number | boolean]),
);

/**
 * Validates raw configuration (by short key) and returns the typed, defaulted
 * config. Every problem is collected and thrown at once as a ConfigError,
 * before any resource exists. Secret values are never part of a message.
 */
export function validateConfig(raw: Record<string, unknown>, context: ValidationContext): OpenViduConfig {
    const howToSet = context.howToSet ?? withPulumiConfigSet;
    const { values, problems, wrongType } = parseValues(raw, context.secretKeys, howToSet);
    problems.push(...otherNamespaceProblems(context.otherKeys ?? []));
    const checker = new Checker(values, problems, wrongType, howToSet);
    const region = checkRegion(context.region, problems, howToSet);
    const config = buildConfig(checker, context.stackName, region);
    if (context.secretKeys !== "all" && context.secretKeys.has("extraEnv")) config.extraEnvSecret = true;
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return config;
}

function checkRegion(region: string | undefined, problems: ConfigProblem[], howToSet: HowToSet): string {
    if (!region) {
        problems.push({ key: "aws:region", message: `is required: set it with ${howToSet({ key: "aws:region", placeholder: "<region>" })}` });
        return "";
    }
    const problem = rules.region(region);
    if (problem) problems.push({ key: "aws:region", message: problem });
    // A wrong region is reported once, as itself: no other key is compared with it (a certificate's region).
    return problem ? "" : region;
}

/** Reads typed values with defaults and records problems against their keys. */
class Checker {
    constructor(readonly values: ParsedValues, readonly problems: ConfigProblem[], readonly wrongType: ReadonlySet<string>, readonly howToSet: HowToSet) {}

    /** "set it with ..." for a key of this project, in the caller's terms. */
    setItWith(key: string, secret = false, placeholder?: string): string {
        return `set it with ${this.howToSet({ key: fullKey(key), secret, placeholder })}`;
    }

    has(key: string): boolean {
        return this.values[key] !== undefined;
    }

    /**
     * True when every key was given with a usable type (or not given). A rule
     * across keys runs only then: a wrong-typed key is already reported, and
     * judging the others by its default would cascade into false errors.
     */
    typed(...keys: string[]): boolean {
        return keys.every((key) => !this.wrongType.has(key));
    }

    report(key: string, message: string): void {
        this.problems.push({ key: fullKey(key), message });
    }

    string(key: string, rule?: (v: string) => rules.Problem): string | undefined {
        const value = (this.values[key] ?? DEFAULTS[key]) as string | undefined;
        this.check(key, value, rule);
        return value;
    }

    /** A required key's value; unset, it is reported (with how to set it when `how` is given). */
    required(key: string, rule?: (v: string) => rules.Problem, how?: { secret: boolean; placeholder: string }): string {
        const value = this.values[key] as string | undefined;
        if (value === undefined) {
            if (!this.wrongType.has(key)) this.report(key, `is required${how ? `: ${this.setItWith(key, how.secret, how.placeholder)}` : ""}`);
            return "";
        }
        this.check(key, value, rule);
        return value;
    }

    bool(key: string): boolean {
        return (this.values[key] ?? DEFAULTS[key]) as boolean;
    }

    int(key: string, min: number, max?: number, rule?: (v: number) => rules.Problem): number {
        const value = (this.values[key] ?? DEFAULTS[key]) as number;
        this.check(key, value, (v) => rules.integerAtLeast(v, min, max) ?? rule?.(v));
        return value;
    }

    private check<T>(key: string, value: T | undefined, rule?: (v: T) => rules.Problem): void {
        const problem = value === undefined || !rule ? undefined : rule(value);
        if (problem) this.report(key, problem);
    }
}

function buildConfig(c: Checker, stackName: string, region: string): OpenViduConfig {
    const license = c.required("license", rules.allOf(rules.notBlank, rules.envValue), { secret: true, placeholder: "<key>" });
    const openviduSecret = c.string("openviduSecret", rules.openviduSecret);
    return {
        stackName,
        region,
        domainName: c.required("domainName", rules.domainName),
        clusterId: c.string("clusterId", rules.clusterId) ?? defaultClusterId(stackName),
        license: pulumi.secret(license),
        openviduSecret: openviduSecret === undefined ? undefined : pulumi.secret(openviduSecret),
        mediaServer: mediaServer(c),
        bucketName: c.string("bucketName", rules.bucketName),
        envTakeover: envTakeover(c),
        s3ConfigAutoRestart: c.bool("s3ConfigAutoRestart"),
        recording: c.bool("recording"),
        coturnInMediaNodes: c.bool("coturnInMediaNodes"),
        elasticsearch: elasticsearch(c),
        ...certificateAndDns(c, region),
        masterInstanceType: c.string("masterInstanceType", rules.instanceType) as string,
        mediaInstanceType: c.string("mediaInstanceType", rules.instanceType) as string,
        keyName: c.string("keyName", rules.notBlank),
        masterNodes: nodeCounts(c, "Master"),
        mediaNodes: nodeCounts(c, "Media"),
        ...scalingThresholds(c),
        network: network(c),
        ...amis(c, region),
        masterVolumeSize: c.int("masterVolumeSize", 20, 16384),
        mediaVolumeSize: c.int("mediaVolumeSize", 20, 16384),
        extraEnv: extraEnv(c),
        deleteEnvOnDestroy: c.bool("deleteEnvOnDestroy"),
        deployerRoleArn: c.string("deployerRoleArn", (v) => v === "" ? undefined : rules.principalArn(v)) || undefined,
        envReaderArns: envReaderArns(c),
        bucketLifecycle: bucketLifecycle(c),
        redis: { nodeType: c.string("redisNodeType", rules.cacheNodeType) as string, replicas: c.int("redisReplicas", 0, 5) },
        referenceNames: c.bool("referenceNames"),
        masterSsmAccess: c.string("masterSsmAccess", rules.oneOf(SSM_ACCESS)) as SsmAccess,
        mediaSsmAccess: c.string("mediaSsmAccess", rules.oneOf(SSM_ACCESS)) as SsmAccess,
        waitForHealthyMasters: c.bool("waitForHealthyMasters"),
        overwriteDnsRecord: c.bool("overwriteDnsRecord"),
        alarms: alarms(c, region),
        // Any whole number reaches the rule, which words the allowed values.
        bootLogRetentionDays: c.int("bootLogRetentionDays", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, rules.logRetentionDays),
    };
}

/** The alarms' destination: the created topic (with its e-mails), or the user's own topic. */
function alarms(c: Checker, region: string): OpenViduConfig["alarms"] {
    const enabled = c.bool("alarmsEnabled");
    const emails = (c.values.alarmEmails as string[] | undefined) ?? [];
    emails.forEach((email, index) => {
        const problem = rules.emailAddress(email);
        if (problem) c.report("alarmEmails", `entry ${index} ("${email}") ${problem}`);
    });
    const topicArn = c.string("alarmTopicArn", (v) => rules.snsTopicArn(v, region || undefined));
    if (topicArn !== undefined && emails.length > 0) {
        c.report("alarmEmails", "is set together with openvidu:alarmTopicArn: e-mails subscribe to the created topic; subscribe them to your own topic instead, or unset alarmTopicArn");
    }
    if (!enabled && (topicArn !== undefined || emails.length > 0)) {
        c.report("alarmsEnabled", "is false but openvidu:alarmTopicArn or openvidu:alarmEmails is set: no alarm would use them; unset them or set alarmsEnabled true");
    }
    return { enabled, emails: [...new Set(emails)], topicArn };
}

/** A takeover is of an adopted bucket's file: a created bucket has no other cluster's. */
function envTakeover(c: Checker): boolean {
    const takeover = c.bool("envTakeover");
    if (takeover && c.typed("envTakeover", "bucketName") && !c.has("bucketName")) {
        c.report("envTakeover", "is true but openvidu:bucketName is unset: only an adopted bucket's .env can belong to another cluster; unset envTakeover or set bucketName");
    }
    return takeover;
}

const SSM_ACCESS: readonly SsmAccess[] = ["managed", "session", "none"];
const RECORDINGS_STORAGE_CLASSES: readonly RecordingsStorageClass[] = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"];
/** S3 refuses a transition to these classes before an object is 30 days old. */
const THIRTY_DAY_CLASSES: readonly RecordingsStorageClass[] = ["STANDARD_IA", "ONEZONE_IA"];

function bucketLifecycle(c: Checker): OpenViduConfig["bucketLifecycle"] {
    const recordingsStorageClass = c.string("recordingsStorageClass", rules.oneOf(RECORDINGS_STORAGE_CLASSES)) as RecordingsStorageClass;
    const recordingsTransitionDays = c.int("recordingsTransitionDays", 0, 36500);
    if (THIRTY_DAY_CLASSES.includes(recordingsStorageClass) && recordingsTransitionDays < 30) {
        c.report("recordingsTransitionDays", `(${recordingsTransitionDays}) must be at least 30 for ${recordingsStorageClass}: ` +
            "S3 moves objects to STANDARD_IA or ONEZONE_IA only after 30 days (INTELLIGENT_TIERING and GLACIER_IR allow 0)");
    }
    return {
        noncurrentVersionExpirationDays: c.int("noncurrentVersionExpirationDays", 1, 3650),
        recordingsStorageClass,
        recordingsTransitionDays,
    };
}

/**
 * The `.env`'s read-only principals: each entry an IAM role or user ARN, as
 * `aws:PrincipalArn` gives it (the deployer's rule), each bad entry reported.
 */
function envReaderArns(c: Checker): string[] {
    const arns = (c.values.envReaderArns as string[] | undefined) ?? [];
    arns.forEach((arn, index) => {
        const problem = rules.principalArn(arn, "");
        if (problem) c.report("envReaderArns", `entry ${index} ("${arn}") ${problem}`);
    });
    return [...new Set(arns)];
}

/** The default cluster id: the stack name, lower-cased, other characters → `-`. */
export function defaultClusterId(stackName: string): string {
    return stackName.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
}

function mediaServer(c: Checker): MediaServer {
    const value = c.string("mediaServer") as MediaServer;
    if (!MEDIA_SERVERS.includes(value)) {
        c.report("mediaServer", `must be one of ${MEDIA_SERVERS.join(", ")} (got "${value}")`);
    }
    return value;
}

const ES_KEYS = ["elasticsearchUrl", "kibanaUrl", "elasticsearchUsername", "elasticsearchPassword"] as const;

function elasticsearch(c: Checker): OpenViduConfig["elasticsearch"] {
    // The launcher reads these with grep | cut -d= -f2: no '=' in them.
    const url = c.string("elasticsearchUrl", rules.allOf(rules.urlWithPort, rules.noEquals));
    const kibanaUrl = c.string("kibanaUrl", rules.allOf(rules.urlWithPort, rules.noEquals));
    const username = c.string("elasticsearchUsername", rules.allOf(rules.noSpacesOrQuotes, rules.noEquals));
    const password = c.string("elasticsearchPassword", rules.elasticsearchPassword);
    if (!c.typed("elasticsearchEnabled", ...ES_KEYS)) {
        return undefined;
    }
    if (!c.bool("elasticsearchEnabled")) {
        // The username has a default; only an explicitly different one counts as "set".
        const set = ES_KEYS.filter((k) => c.has(k) && !(k === "elasticsearchUsername" && username === DEFAULTS[k]));
        for (const key of set) {
            c.report(key, "must not be set when openvidu:elasticsearchEnabled is false (remove it, or enable Elasticsearch)");
        }
        return undefined;
    }
    for (const key of ["elasticsearchUrl", "kibanaUrl", "elasticsearchPassword"] as const) {
        if (!c.has(key)) {
            c.report(key, `is required when openvidu:elasticsearchEnabled is true (${c.setItWith(key, key === "elasticsearchPassword", "...")}, ` +
                "or set openvidu:elasticsearchEnabled to false)");
        }
    }
    return { url: url ?? "", kibanaUrl: kibanaUrl ?? "", username: username ?? "", password: pulumi.secret(password ?? "") };
}

function certificateAndDns(c: Checker, region: string): Pick<OpenViduConfig, "certificateArn" | "hostedZoneId"> {
    const certificateArn = c.string("certificateArn", (v) => rules.certificateArn(v, region || undefined));
    const hostedZoneId = c.string("hostedZoneId", rules.hostedZoneId);
    if (certificateArn === undefined && hostedZoneId === undefined && c.typed("certificateArn", "hostedZoneId")) {
        c.report("certificateArn", "is required unless openvidu:hostedZoneId is set (then a DNS-validated certificate is created)");
    }
    return { certificateArn, hostedZoneId };
}

function nodeCounts(c: Checker, tier: "Master" | "Media"): NodeCounts {
    const [minKey, desiredKey, maxKey] = [`min${tier}Nodes`, `desired${tier}Nodes`, `max${tier}Nodes`];
    const counts = { min: c.int(minKey, 1, 100), desired: c.int(desiredKey, 1, 100), max: c.int(maxKey, 1, 100) };
    if (!c.typed(minKey, desiredKey, maxKey)) {
        return counts;
    }
    if (counts.min > counts.desired) {
        c.report(minKey, `(${counts.min}) must be ≤ ${desiredKey} (${counts.desired}): min ≤ desired ≤ max`);
    }
    if (counts.desired > counts.max) {
        c.report(maxKey, `(${counts.max}) must be ≥ ${desiredKey} (${counts.desired}): min ≤ desired ≤ max`);
    } else if (counts.min > counts.max) {
        c.report(maxKey, `(${counts.max}) must be ≥ ${minKey} (${counts.min}): min ≤ desired ≤ max`);
    }
    return counts;
}

function scalingThresholds(c: Checker): Pick<OpenViduConfig, "scaleUpCpu" | "scaleDownCpu"> {
    const scaleUpCpu = c.int("scaleUpCpu", 1, 100);
    const scaleDownCpu = c.int("scaleDownCpu", 1, 99);
    if (scaleDownCpu >= scaleUpCpu && c.typed("scaleUpCpu", "scaleDownCpu")) {
        c.report("scaleDownCpu", `(${scaleDownCpu}) must be below openvidu:scaleUpCpu (${scaleUpCpu}): 0 < scaleDownCpu < scaleUpCpu ≤ 100`);
    }
    return { scaleUpCpu, scaleDownCpu };
}

function network(c: Checker): OpenViduConfig["network"] {
    const vpcId = c.string("vpcId", rules.vpcId);
    const subnetIds = c.values.subnetIds as string[] | undefined;
    if (vpcId === undefined && subnetIds === undefined) {
        return undefined;
    }
    if (!c.typed("vpcId", "subnetIds")) {
        return { vpcId: vpcId ?? "", subnetIds: subnetIds ?? [] };
    }
    if (vpcId === undefined) {
        c.report("vpcId", "is required when openvidu:subnetIds is set (the subnets' VPC)");
    }
    if (subnetIds === undefined) {
        c.report("subnetIds", "is required when openvidu:vpcId is set: at least 2 subnets in 2 different availability zones");
        return { vpcId: vpcId ?? "", subnetIds: [] };
    }
    for (const problem of new Set(subnetIds.map(rules.subnetId).filter(Boolean))) {
        c.report("subnetIds", `each entry ${problem}`);
    }
    if (new Set(subnetIds).size < 2) {
        c.report("subnetIds", `needs at least 2 different subnets, in 2 different availability zones (got ${new Set(subnetIds).size})`);
    }
    return { vpcId: vpcId ?? "", subnetIds };
}

function amis(c: Checker, region: string): Pick<OpenViduConfig, "masterAmiId" | "mediaAmiId" | "amiSourceRegion" | "amiOwnerId"> {
    const amiSourceRegion = c.string("amiSourceRegion", rules.region);
    if (amiSourceRegion !== undefined && amiSourceRegion === region) {
        c.report("amiSourceRegion", `is the stack's own region (${region}); unset it to use the AMIs as they are`);
    }
    const masterAmiId = c.required("masterAmiId", rules.amiIdOrName);
    const mediaAmiId = c.required("mediaAmiId", rules.amiIdOrName);
    const amiOwnerId = c.string("amiOwnerId", rules.awsAccountId);
    // Anyone can publish a public AMI under any name: a name is only looked up among the
    // images of the owner the operator verified, never guessed.
    const byName = (["masterAmiId", "mediaAmiId"] as const)
        .filter((key) => c.has(key) && c.typed(key) && !rules.isAmiIdForm(c.values[key] as string));
    if (byName.length > 0 && amiOwnerId === undefined && c.typed("amiOwnerId")) {
        const keys = byName.map(fullKey).join(" and ");
        c.report("amiOwnerId", `is required when ${keys} ${byName.length > 1 ? "are image names" : "is an image name"}: ` +
            "anyone can publish a public AMI under any name, so a name is looked up only among the images of the account " +
            "you verified as OpenVidu's (the OwnerId that `aws ec2 describe-images` shows, docs/amis.md); " +
            "or give the AMI id (ami-...) instead of the name");
    }
    return { masterAmiId, mediaAmiId, amiSourceRegion, amiOwnerId };
}

function extraEnv(c: Checker): Record<string, string> {
    const env = (c.values.extraEnv ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(env)) {
        const keyProblem = rules.envKey(key);
        if (keyProblem) {
            c.report("extraEnv", `key "${key}" ${keyProblem}`);
        } else if (isProgramOwnedKey(key)) {
            c.report("extraEnv", `key "${key}" is set by this program (from the stack config or the infrastructure) ` +
                "and may not be overridden; use the matching openvidu:* key instead");
        }
        const valueProblem = rules.envValue(value);
        if (valueProblem) {
            c.report("extraEnv", `value of "${key}" ${valueProblem}`);
        }
    }
    return env;
}
