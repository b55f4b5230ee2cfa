import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { ExistingNetwork } from "../config/types";
import { applyTransform, Transform } from "./transform";

/** The four security groups of the reference template. */
export type SecurityGroupRole = "loadBalancer" | "master" | "media" | "redis";

/** Where a rule lets traffic come from: anyone (IPv4 and IPv6), or a security group of the cluster. */
type Source = "world" | { group: SecurityGroupRole };

export interface IngressSpec {
    /** Unique within its group; part of the rule's resource name. */
    id: string;
    description: string;
    protocol: "tcp" | "udp";
    fromPort: number;
    toPort: number;
    source: Source;
}

const tcpUdp = (id: string, description: string, fromPort: number, toPort: number, source: Source): IngressSpec[] =>
    (["tcp", "udp"] as const).map((protocol) => ({ id: `${id}-${protocol}`, description, protocol, fromPort, toPort, source }));

/**
 * Every ingress rule of the reference, in one table. Egress is open on all
 * four groups (IPv4 and IPv6), as in the reference: nodes reach AWS APIs,
 * the license server, STUN peers and Elasticsearch.
 */
export const INGRESS_RULES: Record<SecurityGroupRole, IngressSpec[]> = {
    loadBalancer: [
        { id: "http", description: "HTTP (redirected to HTTPS)", protocol: "tcp", fromPort: 80, toPort: 80, source: "world" },
        { id: "https", description: "HTTPS: OpenVidu API, inspector, WebSocket", protocol: "tcp", fromPort: 443, toPort: 443, source: "world" },
    ],
    master: [
        ...tcpUdp("turn", "TURN (coturn on the masters)", 3478, 3478, "world"),
        { id: "api-from-lb", description: "OpenVidu from the load balancer", protocol: "tcp", fromPort: 4443, toPort: 4443, source: { group: "loadBalancer" } },
        ...tcpUdp("relay", "TURN relay and WebRTC media ports", 40000, 65535, "world"),
        { id: "replication", description: "Replication manager between masters", protocol: "tcp", fromPort: 5443, toPort: 5443, source: { group: "master" } },
        { id: "api-between-masters", description: "OpenVidu between masters", protocol: "tcp", fromPort: 4443, toPort: 4443, source: { group: "master" } },
    ],
    media: [
        ...tcpUdp("turn-tls", "TURN over 443 (coturn on media nodes)", 443, 443, "world"),
        { id: "media-agent", description: "Media node controller, from the masters", protocol: "tcp", fromPort: 3000, toPort: 3000, source: { group: "master" } },
        { id: "media-server", description: "Media server (Kurento/mediasoup), from the masters", protocol: "tcp", fromPort: 4000, toPort: 4000, source: { group: "master" } },
        { id: "media-recording", description: "Recording and metrics, from the masters", protocol: "tcp", fromPort: 8888, toPort: 8888, source: { group: "master" } },
        ...tcpUdp("webrtc", "WebRTC media ports", 40000, 65535, "world"),
    ],
    redis: [
        { id: "redis", description: "Redis, from the masters", protocol: "tcp", fromPort: 6379, toPort: 6379, source: { group: "master" } },
    ],
};

const SECURITY_GROUP_DESCRIPTIONS: Record<SecurityGroupRole, string> = {
    loadBalancer: "OpenVidu load balancer",
    master: "OpenVidu master nodes",
    media: "OpenVidu media nodes",
    redis: "OpenVidu replication manager Redis",
};

export interface ClusterNetworkArgs {
    /** Prefix of the security groups' names. */
    namePrefix: string;
    /**
     * Deploy into these; their subnets must span ≥ 2 availability zones (checked with a lookup).
     * @default undefined: a new VPC with public subnets in 2 AZs is created
     */
    existing?: ExistingNetwork;
    /** Adjust the created VPC (awsx) or a security group. */
    transform?: {
        vpc?: Transform<awsx.ec2.VpcArgs>;
        securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    };
}

export type SecurityGroupIds = Record<SecurityGroupRole, pulumi.Output<string>>;

/**
 * Where the cluster runs: the VPC and subnets (given, or created with awsx)
 * and the four security groups of the reference template, each rule its own
 * described resource.
 *
 * @example
 * const network = new ClusterNetwork("openvidu-network", { namePrefix: "prod" });
 */
export class ClusterNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** Public subnets in ≥ 2 availability zones (checked). */
    readonly subnetIds: pulumi.Output<string[]>;
    readonly securityGroupIds: SecurityGroupIds;

    constructor(name: string, args: ClusterNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterNetwork", name, {}, opts);
        if (args.existing !== undefined) {
            this.vpcId = pulumi.output(args.existing.vpcId);
            this.subnetIds = this.checkedSubnets(args.existing);
        } else {
            const vpc = new awsx.ec2.Vpc(...applyTransform(args.transform?.vpc, `${name}-vpc`, {
                numberOfAvailabilityZones: 2,
                // Nodes have public addresses (WebRTC reaches them directly), so no private
                // subnets and no NAT gateways (which would cost money for nothing).
                subnetStrategy: "Auto",
                subnetSpecs: [{ type: "Public", cidrMask: 20 }],
                natGateways: { strategy: "None" },
                tags: { Name: `${args.namePrefix}-openvidu` },
            }, { parent: this }));
            this.vpcId = vpc.vpcId;
            this.subnetIds = vpc.publicSubnetIds;
        }
        this.securityGroupIds = this.createSecurityGroups(name, args);
        this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds });
    }

    /** The given subnets, once a lookup has shown they span two or more zones. */
    private checkedSubnets(existing: ExistingNetwork): pulumi.Output<string[]> {
        const zones = existing.subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: this }).availabilityZone);
        return pulumi.all(zones).apply((found) => {
            const problem = subnetZonesProblem(found);
            if (problem) throw problem;
            return existing.subnetIds;
        });
    }

    private createSecurityGroups(name: string, args: ClusterNetworkArgs): SecurityGroupIds {
        const parent = { parent: this };
        const roles = Object.keys(INGRESS_RULES) as SecurityGroupRole[];
        const groups = {} as Record<SecurityGroupRole, aws.ec2.SecurityGroup>;
        for (const role of roles) {
            const groupName = `${args.namePrefix}-${role}`;
            groups[role] = new aws.ec2.SecurityGroup(...applyTransform(args.transform?.securityGroup, `${name}-${role}`, {
                name: groupName,
                description: SECURITY_GROUP_DESCRIPTIONS[role],
                vpcId: this.vpcId,
                tags: { Name: groupName },
            }, parent));
        }
        for (const role of roles) {
            const groupId = groups[role].id;
            for (const rule of INGRESS_RULES[role]) {
                const base = { securityGroupId: groupId, description: rule.description, ipProtocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort };
                if (rule.source === "world") {
                    new aws.vpc.SecurityGroupIngressRule(`${name}-${role}-${rule.id}-v4`, { ...base, cidrIpv4: "0.0.0.0/0" }, parent);
                    new aws.vpc.SecurityGroupIngressRule(`${name}-${role}-${rule.id}-v6`, { ...base, cidrIpv6: "::/0" }, parent);
                } else {
                    new aws.vpc.SecurityGroupIngressRule(`${name}-${role}-${rule.id}`, {
                        ...base, referencedSecurityGroupId: groups[rule.source.group].id,
                    }, parent);
                }
            }
            const egress = { securityGroupId: groupId, description: "All outbound traffic", ipProtocol: "-1" };
            new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-egress-v4`, { ...egress, cidrIpv4: "0.0.0.0/0" }, parent);
            new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-egress-v6`, { ...egress, cidrIpv6: "::/0" }, parent);
        }
        return {
            loadBalancer: groups.loadBalancer.id,
            master: groups.master.id,
            media: groups.media.id,
            redis: groups.redis.id,
        };
    }
}

/** What is wrong with given subnets in these availability zones: a ConfigError, or nothing. */
export function subnetZonesProblem(zones: string[]): ConfigError | undefined {
    const distinct = new Set(zones);
    if (distinct.size >= 2) return undefined;
    return new ConfigError([{
        key: "openvidu:subnetIds",
        message: `the subnets are all in ${[...distinct].join(", ")}; give at least two subnets in at least two different availability zones`,
    }]);
}

/** The zones of the given subnets, looked up before any resource exists (program.ts's preflight). */
export async function checkSubnetZones(subnetIds: string[]): Promise<void> {
    const subnets = await Promise.all(subnetIds.map((id) => aws.ec2.getSubnet({ id })));
    const problem = subnetZonesProblem(subnets.map((subnet) => subnet.availabilityZone));
    if (problem) throw problem;
}
