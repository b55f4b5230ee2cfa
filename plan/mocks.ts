/**
 * Stand-in answers of the AWS provider for running the program in-process
 * under Pulumi's mocks (`pulumi.runtime.setMocks`): the offline plan and the
 * unit tests. New resources echo their inputs plus the few computed outputs
 * the program reads (ARNs, ids, DNS names). A provider function the program
 * calls must be listed here; an unlisted one throws, so a test can never pass
 * on an answer nobody wrote.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** A registered image (for `aws.ec2.getAmi`). */
export interface MockImage {
    id: string;
    name: string;
    ownerId: string;
    region: string;
    /** Past its deprecation time (at the latest two years after a public AMI's creation): hidden unless includeDeprecated. */
    deprecated?: boolean;
}

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
    /** Records that already exist, by hosted zone id (for `aws.route53.getRecords`); names end with a dot, as Route 53 returns them. */
    dnsRecords: Record<string, Array<{ name: string; type: string; values?: string[] }>>;
    /**
     * The registered images `aws.ec2.getAmi` searches. Unset (the offline plan): every
     * name resolves, to a placeholder id derived from owner, region and name (see placeholderAmiId).
     */
    images?: MockImage[];
}

export const DEFAULT_CLOUD: MockCloud = {
    region: "eu-west-1",
    accountId: "123456789012",
    subnetZones: {},
    bucketRegions: {},
    callerArn: "arn:aws:sts::123456789012:assumed-role/openvidu-deploy/pulumi-up",
    rolePaths: { "openvidu-deploy": "/" },
    dnsRecords: {},
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
    // Cluster mode disabled: a primary (read-write) and a reader endpoint; the configuration endpoint is empty.
    "aws:elasticache/replicationGroup:ReplicationGroup": (name) => ({
        primaryEndpointAddress: `${name}.abcdef.ng.0001.euw1.cache.amazonaws.com`,
        readerEndpointAddress: `${name}-ro.abcdef.ng.0001.euw1.cache.amazonaws.com`,
        configurationEndpointAddress: "",
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
    "random:index/randomBytes:RandomBytes": (_name, inputs) => ({
        hex: "ab".repeat(Number(inputs.length ?? 16)),
        base64: Buffer.alloc(Number(inputs.length ?? 16), 0xab).toString("base64"),
    }),
};

/** Answers of provider functions, by token. */
function callAnswer(token: string, inputs: State, cloud: MockCloud): State {
    const partition = { partition: "aws", dnsSuffix: "amazonaws.com" };
    switch (token) {
        // Shapes as @pulumi/aws v7 returns them: every data source has a `region`, the region the
        // lookup ran in (the provider's), which is not the looked-up object's own region.
        case "aws:index/getRegion:getRegion":
            return { name: cloud.region, region: cloud.region, id: cloud.region, description: cloud.region, endpoint: `ec2.${cloud.region}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: cloud.accountId, arn: cloud.callerArn, userId: "AROATEST:pulumi-up", id: cloud.accountId };
        case "aws:iam/getSessionContext:getSessionContext":
            return sessionContext(String(inputs.arn), cloud);
        case "aws:index/getPartition:getPartition":
            return { ...partition, id: "aws", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${cloud.region}${z}`), zoneIds: ["1", "2", "3"], id: cloud.region, region: cloud.region, groupNames: [cloud.region] };
        case "aws:s3/getBucket:getBucket": {
            const bucket = String(inputs.bucket);
            const bucketRegion = cloud.bucketRegions[bucket];
            if (!bucketRegion) throw providerError(`mock cloud: bucket ${bucket} does not exist`, token);
            // v7: `bucketRegion` is the bucket's region; `region` is the provider's, whatever the bucket's.
            return {
                id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegion, region: cloud.region,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${bucketRegion}.amazonaws.com`,
            };
        }
        case "aws:route53/getRecords:getRecords": {
            const zoneId = String(inputs.zoneId);
            const pattern = inputs.nameRegex === undefined ? undefined : new RegExp(String(inputs.nameRegex));
            const resourceRecordSets = (cloud.dnsRecords[zoneId] ?? [])
                .filter((r) => pattern === undefined || pattern.test(r.name))
                .map((r) => ({ name: r.name, type: r.type, ttl: 300, resourceRecords: (r.values ?? []).map((value) => ({ value })) }));
            return { id: zoneId, zoneId, nameRegex: inputs.nameRegex, resourceRecordSets };
        }
        case "aws:ec2/getAmi:getAmi":
            return amiLookup(inputs, cloud);
        case "aws:ec2/getSubnet:getSubnet": {
            const id = String(inputs.id);
            const zone = cloud.subnetZones[id];
            if (!zone) throw providerError(`mock cloud: subnet ${id} does not exist`, token);
            return { id, availabilityZone: zone, vpcId: inputs.vpcId ?? "vpc-00000000", region: cloud.region };
        }
        default:
            throw new Error(`mock cloud: no answer for provider function ${token}; add one in plan/mocks.ts`);
    }
}

/**
 * A provider function's failure as the SDK receives it from the engine: a gRPC error whose
 * `details` is the message (the SDK rethrows `new Error(err.details)`, dropping `message`).
 */
function providerError(message: string, token = "aws:ec2/getAmi:getAmi"): Error {
    return Object.assign(new Error(message), { details: `invoking ${token}: 1 error occurred:\n\t* ${message}` });
}

/**
 * The id the offline plan gives an image looked up by name: deterministic (the same
 * plan twice is the same), and recognisable as no real image's.
 */
export function placeholderAmiId(ownerId: string, region: string, name: string): string {
    return `ami-${createHash("sha256").update(`${ownerId}/${region}/${name}`).digest("hex").slice(0, 17)}`;
}

/**
 * As the provider's getAmi: the images of the given owners matching the `name` filter in the
 * lookup's region; none or (without mostRecent) several fail with the provider's messages.
 */
function amiLookup(inputs: State, cloud: MockCloud): State {
    const region = String(inputs.region ?? cloud.region);
    const owners = (inputs.owners ?? []) as string[];
    const filters = (inputs.filters ?? []) as Array<{ name: string; values: string[] }>;
    const names = filters.find((f) => f.name === "name")?.values ?? [];
    if (owners.length === 0 || names.length === 0) throw new Error("mock cloud: getAmi is only answered with owners and a name filter");
    if (names.some((n) => /[*?]/.test(n))) throw new Error("mock cloud: getAmi name patterns are not modelled");
    if (filters.some((f) => f.name !== "name")) throw new Error("mock cloud: getAmi filters other than name are not modelled");
    const images = cloud.images === undefined
        ? owners.flatMap((ownerId) => names.map((name) => ({ id: placeholderAmiId(ownerId, region, name), name, ownerId, region })))
        : cloud.images.filter((i) => i.region === region && owners.includes(i.ownerId) && names.includes(i.name) &&
            (!i.deprecated || inputs.includeDeprecated === true));
    // The provider's own messages (terraform-provider-aws, ec2_ami_data_source.go).
    if (images.length === 0) throw providerError("Your query returned no results. Please change your search criteria and try again.");
    if (images.length > 1 && !inputs.mostRecent) {
        throw providerError("Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.");
    }
    const image = images[images.length - 1];
    return {
        id: image.id, imageId: image.id, name: image.name, ownerId: image.ownerId, region,
        arn: `arn:aws:ec2:${region}::image/${image.id}`, architecture: "x86_64", state: "available", public: true,
        owners, filters, includeDeprecated: inputs.includeDeprecated,
    };
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

/**
 * @param preview answer as the engine does in a preview of a new stack: a resource's
 *   inputs only, no id and no computed output (the SDK then sees them as unknown).
 */
export function mockCloud(cloud: MockCloud, preview = false): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
            if (preview) return { id: undefined, state: args.inputs };
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
