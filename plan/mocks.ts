/**
 * Stand-in answers of the AWS provider for running the program in-process
 * under Pulumi's mocks (`pulumi.runtime.setMocks`): the offline plan and the
 * unit tests. New resources echo their inputs plus the few computed outputs
 * the program reads (ARNs, ids, DNS names). A provider function the program
 * calls must be listed here; an unlisted one throws, so a test can never pass
 * on an answer nobody wrote.
 */
import * as pulumi from "@pulumi/pulumi";

export interface MockCloud {
    region: string;
    accountId: string;
    /** Availability zone of each existing subnet (for `aws.ec2.getSubnet`). */
    subnetZones: Record<string, string>;
    /** Region of each existing bucket (for `aws.s3.getBucket`). */
    bucketRegions: Record<string, string>;
    /** Who runs the program (`aws.getCallerIdentity`): by default a CI session of a deploy role. */
    callerArn: string;
    /** Path of each existing IAM role, by name (for `aws.iam.getSessionContext`). */
    rolePaths: Record<string, string>;
}

export const DEFAULT_CLOUD: MockCloud = {
    region: "eu-west-1",
    accountId: "123456789012",
    subnetZones: {},
    bucketRegions: {},
    callerArn: "arn:aws:sts::123456789012:assumed-role/openvidu-deploy/pulumi-up",
    rolePaths: { "openvidu-deploy": "/" },
};

type State = Record<string, unknown>;

/** Computed outputs by resource type, beyond the echoed inputs. */
const COMPUTED: Record<string, (name: string, inputs: State, cloud: MockCloud) => State> = {
    "aws:s3/bucket:Bucket": (name, inputs) => {
        const bucket = String(inputs.bucket ?? `${inputs.bucketPrefix ?? name}0123456789`);
        return { bucket, id: bucket, arn: `arn:aws:s3:::${bucket}` };
    },
    // IAM names a role by its path and name, with no region: what aws:PrincipalArn holds.
    "aws:iam/role:Role": (name, inputs, cloud) => ({
        arn: `arn:aws:iam::${cloud.accountId}:role${inputs.path ?? "/"}${inputs.name ?? name}`,
    }),
    "aws:s3/bucketV2:BucketV2": (name, inputs) => ({ bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? name}0123456789` }),
    "aws:lb/loadBalancer:LoadBalancer": (name, inputs, cloud) => ({
        dnsName: `${inputs.name ?? name}-1234567890.${cloud.region}.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
    }),
    "aws:sqs/queue:Queue": (name, inputs, cloud) => ({
        url: `https://sqs.${cloud.region}.amazonaws.com/${cloud.accountId}/${inputs.name ?? name}`,
        arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:${inputs.name ?? name}`,
    }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (name) => ({
        primaryEndpointAddress: `${name}.abcdef.ng.0001.euw1.cache.amazonaws.com`,
        port: 6379,
    }),
    "aws:elasticache/cluster:Cluster": (name) => ({
        cacheNodes: [{ address: `${name}.abcdef.0001.euw1.cache.amazonaws.com`, port: 6379 }],
    }),
    "aws:acm/certificate:Certificate": (_name, inputs) => ({
        domainValidationOptions: [{
            domainName: inputs.domainName,
            resourceRecordName: `_abc.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_xyz.acm-validations.aws.",
        }],
    }),
    "aws:route53/record:Record": (_name, inputs) => ({ fqdn: String(inputs.name).replace(/\.$/, "") }),
    "aws:acm/certificateValidation:CertificateValidation": (_name, inputs) => ({ certificateArn: inputs.certificateArn }),
    "aws:ec2/amiCopy:AmiCopy": () => ({ id: "ami-0c0c0c0c0c0c0c0c0" }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
    "aws:ec2/securityGroup:SecurityGroup": (name) => ({ id: `sg-${name}` }),
    // awsx's Vpc is a remote component: its outputs come from here, not from its children.
    "awsx:ec2:Vpc": (name, inputs) => ({
        vpcId: `vpc-${name}`,
        publicSubnetIds: Array.from({ length: Number(inputs.numberOfAvailabilityZones ?? 3) }, (_, i) => `subnet-${name}-${i}`),
        privateSubnetIds: [],
        isolatedSubnetIds: [],
    }),
    "random:index/randomPassword:RandomPassword": (_name, inputs) => ({
        result: "x".repeat(Number(inputs.length ?? 32)),
    }),
    "random:index/randomId:RandomId": (_name, inputs) => ({
        hex: "ab".repeat(Number(inputs.byteLength ?? 16)),
    }),
};

/** Answers of provider functions, by token. */
function callAnswer(token: string, inputs: State, cloud: MockCloud): State {
    const partition = { partition: "aws", dnsSuffix: "amazonaws.com" };
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: cloud.region, region: cloud.region, id: cloud.region };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: cloud.accountId, arn: cloud.callerArn, userId: "AROATEST:pulumi-up", id: cloud.accountId };
        case "aws:iam/getSessionContext:getSessionContext":
            return sessionContext(String(inputs.arn), cloud);
        case "aws:index/getPartition:getPartition":
            return { ...partition, id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${cloud.region}${z}`), zoneIds: ["1", "2", "3"], id: cloud.region };
        case "aws:s3/getBucket:getBucket": {
            const bucket = String(inputs.bucket);
            const region = cloud.bucketRegions[bucket];
            if (!region) throw new Error(`mock cloud: bucket ${bucket} does not exist`);
            return { id: bucket, bucket, region, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:ec2/getSubnet:getSubnet": {
            const id = String(inputs.id);
            const zone = cloud.subnetZones[id];
            if (!zone) throw new Error(`mock cloud: subnet ${id} does not exist`);
            return { id, availabilityZone: zone, vpcId: inputs.vpcId ?? "vpc-00000000" };
        }
        default:
            throw new Error(`mock cloud: no answer for provider function ${token}; add one in plan/mocks.ts`);
    }
}

/** As the provider answers: an assumed-role session resolves to its role's ARN (with the role's path); anything else passes through. */
function sessionContext(arn: string, cloud: MockCloud): State {
    const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    if (!session) return { id: arn, arn, issuerArn: arn, issuerId: "", issuerName: "", sessionName: "" };
    const [, partition, account, role, sessionName] = session;
    const path = cloud.rolePaths[role];
    if (path === undefined) throw new Error(`mock cloud: role ${role} does not exist (getSessionContext fails like the provider)`);
    return { id: arn, arn, issuerArn: `arn:${partition}:iam::${account}:role${path}${role}`, issuerId: "AROATEST", issuerName: role, sessionName };
}

export function mockCloud(cloud: MockCloud): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
            const computed = COMPUTED[args.type]?.(args.name, args.inputs, cloud) ?? {};
            const id = String(computed.id ?? args.inputs.name ?? `${args.name}-id`);
            const arn = `arn:aws:${args.type.split(":")[1]?.split("/")[0] ?? "mock"}:${cloud.region}:${cloud.accountId}:${args.name}`;
            return { id, state: { arn, name: args.name, ...args.inputs, ...computed, id } };
        },
        call(args: pulumi.runtime.MockCallArgs): State {
            return callAnswer(args.token, args.inputs, cloud);
        },
    };
}
