/**
 * The program's security and reliability defaults as CrossGuard policies.
 * Kept apart from the PolicyPack (index.ts) so tests can call them without
 * starting the policy server.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

const WORLD = ["0.0.0.0/0", "::/0"];
/** Ports OpenVidu needs open to the world: HTTP/HTTPS, TURN, the WebRTC range. */
export const PUBLIC_PORT_RANGES: ReadonlyArray<readonly [number, number]> = [[80, 80], [443, 443], [3478, 3478], [40000, 65535]];

const isTrue = (value: unknown): boolean => value === true || value === "true";

function isPublicPort(from: number, to: number): boolean {
    return PUBLIC_PORT_RANGES.some(([low, high]) => from === low && to === high);
}

export const launchTemplateImdsv2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description: "Launch templates require IMDSv2 (session tokens).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate") return;
        if (args.props.metadataOptions?.httpTokens !== "required") report("metadataOptions.httpTokens must be \"required\" (IMDSv2).");
    },
};

export const launchTemplateEncryptedVolumes: ResourceValidationPolicy = {
    name: "launch-template-encrypted-volumes",
    description: "Every EBS volume of a launch template is encrypted.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate") return;
        const mappings: any[] = args.props.blockDeviceMappings ?? [];
        if (mappings.length === 0) report("declare the root volume, encrypted (blockDeviceMappings is empty).");
        for (const mapping of mappings) {
            if (mapping.ebs && !isTrue(mapping.ebs.encrypted)) report(`volume ${mapping.deviceName} is not encrypted.`);
        }
    },
};

export const noWorldOpenPorts: ResourceValidationPolicy = {
    name: "no-world-open-ports",
    description: "Only OpenVidu's public ports (80, 443, 3478, 40000-65535) are open to 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const rules: Array<{ from: number; to: number; cidrs: string[] }> = [];
        if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            rules.push({ from: args.props.fromPort, to: args.props.toPort, cidrs: [args.props.cidrIpv4, args.props.cidrIpv6].filter(Boolean) });
        } else if (args.type === "aws:ec2/securityGroup:SecurityGroup") {
            for (const rule of args.props.ingress ?? []) {
                rules.push({ from: rule.fromPort, to: rule.toPort, cidrs: [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])] });
            }
        } else {
            return;
        }
        for (const rule of rules) {
            if (rule.cidrs.some((c) => WORLD.includes(c)) && !isPublicPort(rule.from, rule.to)) {
                report(`ports ${rule.from}-${rule.to} are open to the world; only ${PUBLIC_PORT_RANGES.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(", ")} may be.`);
            }
        }
    },
};

/**
 * The wildcard grants of OpenVidu's own master role that this program keeps, for its
 * closed-source replication manager (components/masterPermissions.ts): `sqs:*` on one
 * queue, `ec2:Describe*`. Any other wildcard action is a finding.
 */
export const REFERENCE_WILDCARD_GRANTS: ReadonlyArray<{ action: string; resource: RegExp; where: string }> = [
    // A single queue's ARN: no wildcard in the account, region or name.
    { action: "sqs:*", resource: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, where: "one queue's ARN" },
    // Describe calls have no resource-level permissions: "*" is their only resource.
    { action: "ec2:Describe*", resource: /^\*$/, where: "\"*\"" },
];

/** Whether `action` is a wildcard (`*`, `service:*`, `service:Prefix*`) that `resources` do not make one of the reference's grants. */
function isForbiddenWildcard(action: unknown, resources: unknown[]): boolean {
    if (typeof action !== "string" || !action.includes("*")) return false;
    const grant = REFERENCE_WILDCARD_GRANTS.find((g) => g.action === action);
    return grant === undefined || resources.length === 0 || !resources.every((r) => typeof r === "string" && grant.resource.test(r));
}

export const noIamWildcardAction: ResourceValidationPolicy = {
    name: "no-iam-wildcard-action",
    description: "No IAM statement allows a wildcard action (\"*\", \"s3:*\", \"s3:Get*\") or everything but a list (NotAction), " +
        "except the reference's own grants for the replication manager: \"sqs:*\" on one queue and \"ec2:Describe*\".",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"].includes(args.type)) return;
        const document = typeof args.props.policy === "string" ? JSON.parse(args.props.policy) : args.props.policy;
        for (const statement of [document?.Statement ?? []].flat()) {
            if (statement.Effect !== "Allow") continue;
            const resources = [statement.Resource ?? []].flat();
            const wildcards = [statement.Action].flat().filter((action) => isForbiddenWildcard(action, resources));
            if (wildcards.length > 0) {
                report(`an Allow statement grants ${wildcards.map((a) => `"${a}"`).join(", ")}; list the actions it needs ` +
                    `(the only wildcards allowed: ${REFERENCE_WILDCARD_GRANTS.map((g) => `"${g.action}" on ${g.where}`).join(", ")}).`);
            }
            // Allow + NotAction grants every action of every service except the listed ones.
            if (statement.NotAction !== undefined) report("an Allow statement uses NotAction (it grants everything not listed); list the actions it needs.");
        }
    },
};

export const albDropsInvalidHeaders: ResourceValidationPolicy = {
    name: "alb-drop-invalid-headers",
    description: "Application Load Balancers drop invalid header fields.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:lb/loadBalancer:LoadBalancer" || (args.props.loadBalancerType ?? "application") !== "application") return;
        if (!isTrue(args.props.dropInvalidHeaderFields)) report("dropInvalidHeaderFields must be true.");
    },
};

export const albHttpRedirectsToHttps: ResourceValidationPolicy = {
    name: "alb-http-redirects-to-https",
    description: "A plain HTTP listener only redirects to HTTPS.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:lb/listener:Listener" || args.props.protocol !== "HTTP") return;
        const actions: any[] = args.props.defaultActions ?? [];
        if (!(actions.length === 1 && actions[0].type === "redirect" && actions[0].redirect?.protocol === "HTTPS")) {
            report("an HTTP listener must redirect to HTTPS.");
        }
    },
};

export const bucketNotForceDestroyed: ResourceValidationPolicy = {
    name: "bucket-not-force-destroyed",
    description: "Buckets are never emptied on delete (recordings and configuration are customer data).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "aws:s3/bucket:Bucket" && isTrue(args.props.forceDestroy)) report("forceDestroy must not be true.");
    },
};

/**
 * What a read-only principal of the `.env` may still do (components/storage.ts,
 * ENV_READ_ACTIONS; kept here too because the pack is published on its own).
 */
export const ENV_READ_ACTIONS: readonly string[] = ["s3:GetObject", "s3:GetObjectVersion"];
/** The `.env`'s writers: the masters' role and the deployer. */
const MAX_ENV_WRITERS = 2;

const onEnv = (s: any): boolean => [s.Resource].flat().some((r: unknown) => typeof r === "string" && r.endsWith("/.env"));
const principalArns = (condition: any): string[] => [condition?.["aws:PrincipalArn"] ?? []].flat();

/**
 * The principals a bucket policy lets write the `.env`: those its deny-all
 * statement exempts, less those a Deny + NotAction (reading only) keeps to
 * reading it. A policy cannot say which ARN is the masters' or the deployer's,
 * but it can count them: more than two writers means a reader lost its
 * read-only statement (or someone else was let in).
 */
function envWriters(statements: any[]): string[] {
    const exempted = statements.filter((s) => s.Effect === "Deny" && s.Principal === "*" && onEnv(s) && s.Action !== undefined)
        .flatMap((s) => principalArns(s.Condition?.ArnNotEquals ?? s.Condition?.ArnNotLike));
    const readOnly = new Set(statements.filter((s) => s.Effect === "Deny" && s.Principal === "*" && onEnv(s) &&
        s.NotAction !== undefined && [s.NotAction].flat().every((a: unknown) => typeof a === "string" && ENV_READ_ACTIONS.includes(a)))
        .flatMap((s) => principalArns(s.Condition?.ArnEquals ?? s.Condition?.ArnLike)));
    return [...new Set(exempted)].filter((arn) => !readOnly.has(arn));
}

/**
 * Every bucket has its guards: encryption, versioning, all public-access blocks, a TLS-only
 * policy, a policy keeping the `.env` to named principals (at most two of them writers: the
 * masters' role and the deployer; any other only reads it), and a lifecycle that expires old
 * versions and aborts unfinished uploads (else deleted recordings are billed forever).
 */
export const bucketGuards: StackValidationPolicy = {
    name: "bucket-guards",
    description: "Each bucket is encrypted, versioned, blocks public access, denies non-TLS requests, " +
        "keeps the .env to named principals and expires noncurrent versions.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const of = (type: string): any[] => args.resources.filter((r) => r.type === type).map((r) => r.props);
        const buckets = of("aws:s3/bucket:Bucket").length;
        if (buckets === 0) return;
        const encrypted = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
            .filter((p) => (p.rules ?? []).some((r: any) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(r.applyServerSideEncryptionByDefault?.sseAlgorithm)));
        const versioned = of("aws:s3/bucketVersioning:BucketVersioning").filter((p) => p.versioningConfiguration?.status === "Enabled");
        const blocked = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
            .filter((p) => [p.blockPublicAcls, p.blockPublicPolicy, p.ignorePublicAcls, p.restrictPublicBuckets].every(isTrue));
        const statements = of("aws:s3/bucketPolicy:BucketPolicy").map((p) => {
            const document = typeof p.policy === "string" ? JSON.parse(p.policy) : p.policy;
            return [document?.Statement ?? []].flat();
        });
        const tlsOnly = statements.filter((list) => list.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
        const envKept = statements.filter((list) => list.some((s: any) => s.Effect === "Deny" && s.Principal === "*" && onEnv(s) &&
            (s.Condition?.ArnNotEquals?.["aws:PrincipalArn"] ?? s.Condition?.ArnNotLike?.["aws:PrincipalArn"]) !== undefined));
        const expiring = of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").filter((p) => (p.rules ?? []).some((r: any) =>
            r.status === "Enabled" && (r.filter?.prefix ?? "") === "" && r.noncurrentVersionExpiration?.noncurrentDays > 0 &&
            r.abortIncompleteMultipartUpload?.daysAfterInitiation > 0));
        for (const [what, found] of [["server-side encryption", encrypted], ["versioning", versioned], ["all four public-access blocks", blocked],
            ["a TLS-only bucket policy", tlsOnly], ["a bucket policy keeping the .env to named principals", envKept],
            ["a lifecycle expiring noncurrent versions and aborting incomplete uploads bucket-wide", expiring]] as const) {
            if (found.length < buckets) report(`${buckets} bucket(s) but only ${found.length} with ${what}.`);
        }
        for (const writers of statements.map(envWriters).filter((w) => w.length > MAX_ENV_WRITERS)) {
            report(`a bucket policy lets ${writers.length} principals write the .env (${writers.join(", ")}); only the masters' role and ` +
                `the deployer may: the others need a Deny + NotAction [${ENV_READ_ACTIONS.join(", ")}] statement keeping them to reading it.`);
        }
    },
};

/** An alarm nobody hears is no alarm: every metric alarm acts (a topic, a scaling policy). */
export const alarmHasActions: ResourceValidationPolicy = {
    name: "alarm-has-actions",
    description: "Every CloudWatch metric alarm has at least one alarm action.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:cloudwatch/metricAlarm:MetricAlarm") return;
        const disabled = args.props.actionsEnabled === false || args.props.actionsEnabled === "false";
        if (!disabled && (args.props.alarmActions ?? []).length > 0) return;
        report("the alarm has no alarmActions (or its actions are disabled): nothing happens when it fires.");
    },
};

export const snsTopicEncrypted: ResourceValidationPolicy = {
    name: "sns-topic-encrypted",
    description: "SNS topics are encrypted at rest (kmsMasterKeyId).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:sns/topic:Topic") return;
        if (!args.props.kmsMasterKeyId) report("kmsMasterKeyId is unset: the topic is not encrypted at rest.");
    },
};

export const logGroupRetainedAndEncrypted: ResourceValidationPolicy = {
    name: "log-group-retention-and-encryption",
    description: "CloudWatch log groups expire their events (retentionInDays) and are encrypted with a KMS key (kmsKeyId).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:cloudwatch/logGroup:LogGroup") return;
        if (!(Number(args.props.retentionInDays) > 0)) report("retentionInDays is unset or 0: the log group keeps its events forever.");
        if (!args.props.kmsKeyId) report("kmsKeyId is unset: the log group is not encrypted with a key of the cluster.");
    },
};

export const resourcePolicies: ResourceValidationPolicy[] = [
    launchTemplateImdsv2, launchTemplateEncryptedVolumes, noWorldOpenPorts, noIamWildcardAction,
    albDropsInvalidHeaders, albHttpRedirectsToHttps, bucketNotForceDestroyed,
    alarmHasActions, snsTopicEncrypted, logGroupRetainedAndEncrypted,
];
export const stackPolicies: StackValidationPolicy[] = [bucketGuards];
