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
}

export const DEFAULT_CLOUD: MockCloud = {
    region: "eu-west-1",
    accountId: "123456789012",
    subnetZones: {},
};

type State = Record<string, unknown>;

/** Computed outputs by resource type, beyond the echoed inputs. */
const COMPUTED: Record<string, (name: string, inputs: State, cloud: MockCloud) => State> = {
    "aws:s3/bucket:Bucket": (name, inputs) => ({ bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? name}0123456789` }),
    "aws:s3/bucketV2:BucketV2": (name, inputs) => ({ bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? name}0123456789` }),
    "aws:lb/loadBalancer:LoadBalancer": (name, inputs, cloud) => ({
        dnsName: `${inputs.name ?? name}-1234567890.${cloud.region}.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
    }),
    "aws:sqs/queue:Queue": (name, inputs, cloud) => ({
        url: `https://sqs.${cloud.region}.amazonaws.com/${cloud.accountId}/${inputs.name ?? name}`,
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
    "aws:ec2/amiCopy:AmiCopy": () => ({ id: "ami-0c0c0c0c0c0c0c0c0" }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
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
            return { accountId: cloud.accountId, arn: `arn:aws:iam::${cloud.accountId}:user/test`, userId: "AIDTEST" };
        case "aws:index/getPartition:getPartition":
            return { ...partition, id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${cloud.region}${z}`), zoneIds: ["1", "2", "3"], id: cloud.region };
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
