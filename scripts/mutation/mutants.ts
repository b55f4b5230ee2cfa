/**
 * Realistic one-line mutations of the program, each with the test files that
 * must notice it (scripts/mutation/run.ts applies them one at a time). A
 * mutant that survives marks a test that passes with its feature removed.
 * `from` must occur exactly once in `file`; when the source is rewritten and
 * a line no longer exists, the runner says so: update or drop the mutant.
 */
export interface Mutant {
    id: string;
    file: string;
    from: string;
    to: string;
    /** What the mutation breaks, in words. */
    what: string;
    /** The test files that guard it. */
    tests: string[];
}

const t = (...names: string[]): string[] => names.map((n) => `tests/${n}.test.ts`);

export const MUTANTS: Mutant[] = [
    // Storage, DNS, certificate
    { id: "bucket-region-unchecked", file: "components/storage.ts", from: "if (region !== args.region) {", to: "if (region === undefined) {",
        what: "adopted bucket's region no longer compared with the stack's", tests: t("storage") },
    { id: "bucket-not-retained", file: "components/storage.ts", from: "const retained = { parent: this, retainOnDelete: true };", to: "const retained = { parent: this, retainOnDelete: false };",
        what: "bucket and guards deleted by pulumi destroy", tests: t("storage") },
    { id: "tls-only-inverted", file: "components/storage.ts", from: "Condition: { Bool: { \"aws:SecureTransport\": \"false\" } },", to: "Condition: { Bool: { \"aws:SecureTransport\": \"true\" } },",
        what: "bucket policy denies TLS instead of plain HTTP", tests: t("storage", "securityDefaults") },
    { id: "certificate-not-awaited", file: "components/dns.ts", from: "return validation.certificateArn;", to: "return certificate.arn;",
        what: "listener uses the certificate before its validation completes", tests: t("imagesAndDns") },
    { id: "bucket-region-of-provider", file: "components/storage.ts", from: "pulumi.all([existing.bucket, existing.bucketRegion])", to: "pulumi.all([existing.bucket, existing.region])",
        what: "adopted bucket's region read from v7's `region` (the provider's)", tests: t("storage") },
    { id: "alias-no-health", file: "components/dns.ts", from: "evaluateTargetHealth: true }]),", to: "evaluateTargetHealth: false }]),",
        what: "alias record stops evaluating the load balancer's health", tests: t("imagesAndDns") },
    { id: "dns-always-overwrites", file: "components/dns.ts", from: "allowOverwrite: overwrite,", to: "allowOverwrite: true,",
        what: "the alias silently takes over an existing record", tests: t("imagesAndDns") },
    { id: "dns-cname-unchecked", file: "components/dns.ts", from: "if (cname && !overwrite) throw", to: "if (cname && overwrite) throw",
        what: "an existing CNAME is not caught before Route 53 fails on it", tests: t("imagesAndDns") },
    { id: "names-without-suffix", file: "components/naming.ts", from: "const unique = `${stack}-${deploymentSuffix(projectName, stackName)}`;", to: "const unique = stack;",
        what: "two projects' stacks of the same name collide on ALB, target group, Redis, security groups", tests: t("naming") },
    { id: "names-rm-suffixed", file: "components/naming.ts", from: "mediaAsg: fitName(stackName, \"-ASGMediaNode\", 255),", to: "mediaAsg: fitName(unique, \"-ASGMediaNode\", 255),",
        what: "the media group's name (read by the replication manager) changes", tests: t("naming", "mediaTier") },
    // AMIs given by name (components/images.ts, config)
    { id: "ami-owner-not-pinned", file: "components/images.ts", from: "owners: [lookup.ownerId],", to: "owners: [\"self\"],",
        what: "a name is looked up among the deployer's own images, not the pinned owner's", tests: t("amiNames") },
    { id: "ami-lookup-in-stack-region", file: "components/images.ts", from: "region: args.sourceRegion ?? args.region };", to: "region: args.region };",
        what: "with amiSourceRegion, the name is looked up in the stack's region instead of the image's", tests: t("amiNames") },
    { id: "ami-most-recent", file: "components/images.ts", from: "includeDeprecated: true,", to: "includeDeprecated: true, mostRecent: true,",
        what: "several images of one name: the newest is picked instead of failing", tests: t("amiNames") },
    { id: "ami-deprecated-hidden", file: "components/images.ts", from: "includeDeprecated: true,", to: "includeDeprecated: false,",
        what: "a pinned image past its deprecation time no longer resolves", tests: t("amiNames") },
    { id: "ami-result-unchecked", file: "components/images.ts", from: "if (image.name !== lookup.name || image.ownerId !== lookup.ownerId) {", to: "if (false) {",
        what: "an image of another name or owner returned by the lookup is used", tests: t("amiNames") },
    { id: "ami-name-to-template", file: "components/images.ts", from: "if (args.sourceRegion === undefined) return amiId;", to: "if (args.sourceRegion === undefined) return pulumi.output(idOrName);",
        what: "the launch templates get the name, not the id found", tests: t("amiNames") },
    { id: "ami-copy-of-name", file: "components/images.ts", from: "            sourceAmiId: amiId,", to: "            sourceAmiId: idOrName,",
        what: "the AMI copy is asked to copy the name, not the id found", tests: t("amiNames") },
    { id: "ami-owner-optional", file: "config/validate.ts", from: "if (byName.length > 0 && amiOwnerId === undefined && c.typed(\"amiOwnerId\")) {", to: "if (false) {",
        what: "a name without openvidu:amiOwnerId is accepted", tests: t("amiNames") },
    { id: "ami-wildcards-allowed", file: "config/rules.ts", from: "if (/[*?]/.test(value)) {", to: "if (false) {",
        what: "an AMI name pattern (* or ?) is not refused as such", tests: t("amiNames") },
    { id: "ami-owner-any-form", file: "config/rules.ts", from: "return AWS_ACCOUNT_ID.test(value) ? undefined", to: "return true ? undefined",
        what: "openvidu:amiOwnerId accepts an alias or a malformed id", tests: t("amiNames") },
    { id: "ami-automation-no-prelookup", file: "program.ts", from: "lookups.map((lookup) => lookUpImage(lookup))", to: "([] as Promise<string>[])",
        what: "the Automation API declares resources before the names resolve (an unresolved name then hangs the run)", tests: t("amiNames") },
    { id: "plan-ami-lookups-dropped", file: "plan/render.ts", from: "amiLookups: amiLookups(run.calls, config),", to: "amiLookups: [],",
        what: "the offline plan no longer says which AMIs were looked up by name", tests: t("amiNames") },
    // Policy pack
    { id: "policy-dropped-from-pack", file: "policy/policies.ts",
        from: "launchTemplateImdsv2, launchTemplateEncryptedVolumes, noWorldOpenPorts, noIamWildcardAction,",
        to: "launchTemplateImdsv2, launchTemplateEncryptedVolumes, noIamWildcardAction,",
        what: "no-world-open-ports removed from the pack", tests: t("policy") },
    // .env provider
    { id: "retry-bound-off-by-one", file: "components/envFile/provider.ts", from: "attempt <= MAX_WRITE_ATTEMPTS; attempt++", to: "attempt < MAX_WRITE_ATTEMPTS; attempt++",
        what: "one write attempt fewer than announced", tests: t("envFile.s3", "envFile.rgw", "envFile.conditional") },
    { id: "retry-bound-raised", file: "components/envFile/provider.ts", from: "export const MAX_WRITE_ATTEMPTS = 5;", to: "export const MAX_WRITE_ATTEMPTS = 50;",
        what: "a busy file retried 50 times instead of 5", tests: t("envFile.s3", "envFile.rgw", "envFile.conditional") },
    { id: "diff-ignores-deleteOnDestroy", file: "components/envFile/provider.ts", from: "([\"region\", \"deleteOnDestroy\"] as const)", to: "([\"region\"] as const)",
        what: "turning deleteOnDestroy on is not an update (destroy keeps the old setting)", tests: t("envFile.s3", "envFile.conditional") },
    { id: "diff-ignores-region", file: "components/envFile/provider.ts", from: "([\"region\", \"deleteOnDestroy\"] as const)", to: "([\"deleteOnDestroy\"] as const)",
        what: "a region change is not an update", tests: t("envFile.s3", "envFile.conditional") },
    { id: "env-always-deleted", file: "components/envFile/provider.ts", from: "if (props.deleteOnDestroy) await deleteObject(address(props));", to: "await deleteObject(address(props));",
        what: ".env deleted on every destroy", tests: t("envFile.s3", "envFile.conditional") },
    { id: "env-delete-wired-on", file: "components/cluster.ts", from: "deleteOnDestroy: config.deleteEnvOnDestroy,", to: "deleteOnDestroy: true,",
        what: "the program asks for the .env to be deleted on destroy whatever the config", tests: t("envFile.program", "envFile.wiring") },
    { id: "if-match-dropped", file: "components/envFile/s3.ts", from: "{ IfNoneMatch: \"*\" } : { IfMatch: condition.ifMatch }", to: "{ IfNoneMatch: \"*\" } : {}",
        what: "updates written unconditionally (lost update)", tests: t("envFile.s3", "envFile.conditional") },
    { id: "if-none-match-dropped", file: "components/envFile/s3.ts", from: "{ IfNoneMatch: \"*\" } : { IfMatch: condition.ifMatch }", to: "{} : { IfMatch: condition.ifMatch }",
        what: "first write overwrites a file created meanwhile", tests: t("envFile.s3", "envFile.conditional") },
    { id: "merge-conflict-unreported", file: "components/envFile/merge.ts", from: "if (configChanged && operatorChanged && had !== want) result.conflicts.push(key);", to: "if (configChanged && operatorChanged && had === want) result.conflicts.push(key);",
        what: "config overriding an operator's change is not reported", tests: t("envFile.pure", "envFile.s3") },
    { id: "merge-overwrites-operator", file: "components/envFile/merge.ts", from: "if (had === undefined || configChanged) {", to: "if (true) {",
        what: "every up resets run-time changes", tests: t("envFile.pure") },
    { id: "merge-keeps-dropped-key", file: "components/envFile/merge.ts", from: "if (live.get(key) === wrote) target.set(key, undefined);", to: "if (false) target.set(key, undefined);",
        what: "a key removed from extraEnv stays in the file", tests: t("envFile.pure") },
    { id: "user-data-keeps-stale-instance-id", file: "components/envFile/content.ts", from: "sed -i '/^AWS_INSTANCE_ID=/d' \"\\${OPENVIDU_DIR}/.env\"", to: "true",
        what: "a downloaded .env keeps another master's AWS_INSTANCE_ID", tests: t("envFile.program") },
    // Secrets
    { id: "coturn-not-secret", file: "components/secrets.ts", from: "this.coturnSharedSecret = pulumi.secret(coturn.hex);", to: "this.coturnSharedSecret = coturn.hex;",
        what: "coturn's shared secret no longer a Pulumi secret", tests: t("storage", "envFile.program", "envFile.wiring") },
    // Config validation
    { id: "desired-equal-max-rejected", file: "config/validate.ts", from: "if (counts.desired > counts.max) {", to: "if (counts.desired >= counts.max) {",
        what: "desired == max rejected", tests: t("config", "configDefaults") },
    { id: "min-equal-desired-rejected", file: "config/validate.ts", from: "if (counts.min > counts.desired) {", to: "if (counts.min >= counts.desired) {",
        what: "min == desired rejected", tests: t("config", "configDefaults") },
    { id: "scale-thresholds-equal-accepted", file: "config/validate.ts", from: "if (scaleDownCpu >= scaleUpCpu) {", to: "if (scaleDownCpu > scaleUpCpu) {",
        what: "scale-down equal to scale-up accepted (flapping)", tests: t("config") },
    { id: "xn-prefix-allowed", file: "config/rules.ts", from: "[!/^(xn--|sthree-|amzn-s3-demo-)/.test(value)", to: "[!/^(sthree-|amzn-s3-demo-)/.test(value)",
        what: "reserved xn-- bucket prefix accepted", tests: t("config") },
    { id: "s3alias-suffix-allowed", file: "config/rules.ts", from: "[!/(-s3alias|--ol-s3|", to: "[!/(--ol-s3|",
        what: "reserved -s3alias bucket suffix accepted", tests: t("config") },
    { id: "certificate-region-unchecked", file: "config/rules.ts", from: "if (region && match[1] !== region) {", to: "if (false) {",
        what: "certificate of another region accepted", tests: t("config") },
    { id: "scale-up-cap-raised", file: "config/validate.ts", from: "const scaleUpCpu = c.int(\"scaleUpCpu\", 1, 100);", to: "const scaleUpCpu = c.int(\"scaleUpCpu\", 1, 1000);",
        what: "scale-up threshold above 100 % accepted", tests: t("config") },
    // Replication state
    { id: "redis-reader-endpoint", file: "components/replicationState.ts", from: "this.redisAddress = replicationGroup.primaryEndpointAddress;", to: "this.redisAddress = replicationGroup.readerEndpointAddress;",
        what: "replication manager given the read-only endpoint", tests: t("replicationState", "envFile.program") },
    { id: "redis-tls-on", file: "components/replicationState.ts", from: "transitEncryptionEnabled: false,", to: "transitEncryptionEnabled: true,",
        what: "Redis requires TLS, which the 2.x replication manager does not speak", tests: t("replicationState") },
    { id: "terminate-detail-type", file: "components/replicationState.ts", from: "\"EC2 Instance-terminate Lifecycle Action\"", to: "\"EC2 Instance Terminate Successful\"",
        what: "terminate lifecycle actions no longer forwarded", tests: t("replicationState") },
    { id: "queue-retention", file: "components/replicationState.ts", from: "messageRetentionSeconds: 60, visibilityTimeoutSeconds: 50", to: "messageRetentionSeconds: 120, visibilityTimeoutSeconds: 50",
        what: "queue keeps messages 120 s", tests: t("replicationState") },
    { id: "role-inside-detail", file: "components/replicationState.ts", from: "\"EC2InstanceId\":<EC2InstanceId>},\"role\":\"MediaNode\"}'", to: "\"EC2InstanceId\":<EC2InstanceId>,\"role\":\"MediaNode\"}}'",
        what: "role moved inside detail (the replication manager reads it beside detail)", tests: t("replicationState") },
    { id: "message-group", file: "components/replicationState.ts", from: "messageGroupId: \"sqs-notification\",", to: "messageGroupId: \"sqs-notifications\",",
        what: "events in another FIFO message group", tests: t("replicationState") },
    // IAM
    { id: "createtags-wildcard", file: "components/masterPermissions.ts", from: "Resource: `arn:${input.partition}:ec2:${input.region}:${input.accountId}:instance/*`,", to: "Resource: \"*\",",
        what: "ec2:CreateTags widened to every resource", tests: t("masterTier", "securityDefaults", "policy") },
    { id: "createtags-unconditioned", file: "components/masterPermissions.ts", from: "Condition: { StringEquals: { \"ec2:ResourceTag/aws:autoscaling:groupName\": groups } },", to: "",
        what: "CreateTags on any instance of the account", tests: t("masterTier") },
    // Master tier
    { id: "alb-keeps-invalid-headers", file: "components/masterTier.ts", from: "dropInvalidHeaderFields: true,", to: "dropInvalidHeaderFields: false,",
        what: "ALB forwards malformed headers", tests: t("masterTier", "policy") },
    { id: "http-redirect-302", file: "components/masterTier.ts", from: "query: \"#{query}\", statusCode: \"HTTP_301\" },\n            }],\n        }, parent);\n        const https", to: "query: \"#{query}\", statusCode: \"HTTP_302\" },\n            }],\n        }, parent);\n        const https",
        what: "HTTP redirect becomes temporary", tests: t("masterTier") },
    { id: "deregistration-default", file: "components/masterTier.ts", from: "deregistrationDelaySeconds: 60,", to: "deregistrationDelaySeconds: 300,",
        what: "deregistration delay back to 300 s", tests: t("masterTier") },
    { id: "masters-boot-before-env", file: "components/masterTier.ts", from: "}, { ...parent, dependsOn: [args.configuration] }));", to: "}, { ...parent }));",
        what: "masters may boot before the .env exists", tests: t("masterTier", "envFile.program") },
    { id: "refresh-drops-capacity", file: "components/masterTier.ts", from: "instanceRefresh: { minHealthyPercentage: 100,", to: "instanceRefresh: { minHealthyPercentage: 50,",
        what: "a rolling refresh takes half the masters down", tests: t("masterTier") },
    { id: "imds-hop-limit", file: "components/nodeLaunchTemplate.ts", from: "metadataHopLimit: 1,", to: "metadataHopLimit: 2,",
        what: "containers reach the instance metadata", tests: t("masterTier", "mediaTier", "securityDefaults") },
    // Media tier
    { id: "scale-in-unprotected", file: "components/mediaTier.ts", from: "protectFromScaleIn: true,", to: "protectFromScaleIn: false,",
        what: "media nodes terminated without draining", tests: t("mediaTier") },
    { id: "terminate-hook-continue", file: "components/mediaTier.ts", from: "defaultResult: \"ABANDON\"", to: "defaultResult: \"CONTINUE\"",
        what: "terminate hook lets a node go by default", tests: t("mediaTier") },
    { id: "scaling-table-up-periods", file: "components/mediaTier.ts", from: "scaleUpEvaluationPeriods: 3,", to: "scaleUpEvaluationPeriods: 4,",
        what: "scale-up needs 4 samples, not docs/scaling.md's 3", tests: t("mediaTier") },
    { id: "scaling-table-down-cooldown", file: "components/mediaTier.ts", from: "scaleDownCooldownSeconds: 600,", to: "scaleDownCooldownSeconds: 900,",
        what: "scale-down cooldown 900 s, not docs/scaling.md's 600 s", tests: t("mediaTier") },
    { id: "scale-up-operator", file: "components/mediaTier.ts", from: "comparison: \"GreaterThanThreshold\"", to: "comparison: \"GreaterThanOrEqualToThreshold\"",
        what: "scale-up alarm at the threshold instead of above it", tests: t("mediaTier") },
    // Network, names
    { id: "api-port", file: "components/network.ts", from: "{ id: \"api-from-lb\", description: \"OpenVidu from the load balancer\", protocol: \"tcp\", fromPort: 4443, toPort: 4443,", to: "{ id: \"api-from-lb\", description: \"OpenVidu from the load balancer\", protocol: \"tcp\", fromPort: 4443, toPort: 4444,",
        what: "load balancer may reach 4444 too", tests: t("network") },
    { id: "name-hash-constant", file: "components/naming.ts", from: "const hash = shortHash(full);", to: "const hash = \"000000\";",
        what: "truncated long names collide", tests: t("naming") },
];
