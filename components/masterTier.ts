import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeCounts, SsmAccess } from "../config/types";
import { BOOT_TIMELINE } from "../models/bootTimeline";
import { S3Access } from "./envFile/s3";
import { InstanceRefreshWait, mastersWaitSeconds, refreshWaitSeconds } from "./instanceRefresh";
import { createInstanceRole } from "./instanceRole";
import { masterPolicyStatements } from "./masterPermissions";
import { ClusterNames } from "./naming";
import { nodeLaunchTemplateArgs, propagatedTags } from "./nodeLaunchTemplate";
import { applyTransform, Transform } from "./transform";

/** The load balancer's and masters' AWS facts, each named for what it means. */
export const MASTER_TIER = {
    /** OpenVidu's API and the inspector listen here on each master. */
    masterPort: 4443,
    /**
     * OpenVidu's latest 2.x template: `/` on 4443 answers 401 (403 on some
     * paths) as soon as OpenVidu serves. `/openvidu/health` fails on every
     * master at once while they restart together (auto-restart), and with ELB
     * health checks the group would then replace all of them.
     */
    healthCheck: {
        path: "/",
        matcher: "401-403",
        /** Interval, timeout and thresholds: models/bootTimeline.ts. */
        ...BOOT_TIMELINE.healthCheck,
    },
    /** AWS's default is 300 s; a master's requests are short, so a minute drains it. */
    deregistrationDelaySeconds: BOOT_TIMELINE.deregistrationDelaySeconds,
    /** TLS 1.3 with 1.2 fallback: AWS's recommended policy for public endpoints. */
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    /** The slowest boot that succeeds is healthy before the group first looks (models/bootTimeline.ts). */
    healthCheckGracePeriodSeconds: BOOT_TIMELINE.gracePeriodSeconds,
    /**
     * How long `pulumi up` waits for the desired number of masters to pass the
     * health check: one failed boot, its replacement's slowest good boot and
     * the old masters' draining (models/bootTimeline.ts).
     */
    healthyMastersTimeout: BOOT_TIMELINE.upWaitTimeout,
    /** A rolling refresh adds new masters first and removes old ones once those are healthy and warm. */
    instanceRefresh: { minHealthyPercentage: 100, maxHealthyPercentage: 200, instanceWarmupSeconds: BOOT_TIMELINE.instanceWarmupSeconds },
    /** `ov-cluster-member` tag value of masters (the replication manager reads it). */
    clusterMemberTag: "server",
} as const;

export interface MasterTierArgs {
    /** Physical names derived from the stack (components/naming.ts). */
    names: ClusterNames;
    region: string;
    vpcId: pulumi.Input<string>;
    /** Public subnets in ≥ 2 AZs, for the load balancer and the masters. */
    subnetIds: pulumi.Input<string[]>;
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    masterSecurityGroupId: pulumi.Input<string>;
    /** An issued ACM certificate of the stack's region. */
    certificateArn: pulumi.Input<string>;
    amiId: pulumi.Input<string>;
    /** @example "c5.xlarge" */
    instanceType: string;
    /** @default undefined: no key pair (SSM Session Manager instead). */
    keyName?: string;
    /** SSM on the masters (docs/iam.md). */
    ssmAccess: SsmAccess;
    /** Root volume, GiB. */
    volumeSize: number;
    nodes: NodeCounts;
    /**
     * `pulumi up` waits until `nodes.desired` masters are healthy behind the load balancer,
     * and until the masters' instance refresh ends when it starts one. @default true
     */
    waitForHealthyMasters?: boolean;
    /** How the refresh wait's AWS clients authenticate (the stack's `aws:profile`, `aws:assumeRoles`). @default the SDK's chain */
    awsAccess?: S3Access;
    bucketName: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
    /** The masters' user data (plain text; no secret in it). */
    userData: pulumi.Input<string>;
    /** The seeded `.env`: no master boots before its configuration exists. */
    configuration: pulumi.Resource;
    /** Adjust the underlying resources' args. */
    transform?: {
        loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
        targetGroup?: Transform<aws.lb.TargetGroupArgs>;
        httpsListener?: Transform<aws.lb.ListenerArgs>;
        role?: Transform<aws.iam.RoleArgs>;
        launchTemplate?: Transform<aws.ec2.LaunchTemplateArgs>;
        autoScalingGroup?: Transform<aws.autoscaling.GroupArgs>;
    };
}

/**
 * The master nodes behind the Application Load Balancer: HTTP→HTTPS, the
 * reference's three listener rules, the target group on 4443, the masters'
 * role (scoped, plus SSM), launch template and Auto Scaling group.
 *
 * @example
 * const master = new MasterTier("openvidu-master", { names, region, vpcId, ... });
 * export const url = pulumi.interpolate`https://${master.loadBalancerDnsName}`;
 */
export class MasterTier extends pulumi.ComponentResource {
    readonly loadBalancerDnsName: pulumi.Output<string>;
    readonly loadBalancerZoneId: pulumi.Output<string>;
    readonly loadBalancerArn: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly asgName: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;
    /** The masters' role: the bucket policy lets it (and the deployer) read the `.env`. */
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: MasterTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:MasterTier", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};

        const loadBalancer = new aws.lb.LoadBalancer(...applyTransform(t.loadBalancer, `${name}-alb`, {
            name: args.names.loadBalancer,
            loadBalancerType: "application",
            internal: false,
            subnets: args.subnetIds,
            securityGroups: [args.loadBalancerSecurityGroupId],
            // Requests with malformed headers never reach OpenVidu (AWS FSBP ELB.4).
            dropInvalidHeaderFields: true,
            tags: { Name: args.names.loadBalancer },
        }, parent));

        const targetGroup = new aws.lb.TargetGroup(...applyTransform(t.targetGroup, `${name}-targets`, {
            name: args.names.targetGroup,
            port: MASTER_TIER.masterPort,
            protocol: "HTTP",
            targetType: "instance",
            vpcId: args.vpcId,
            deregistrationDelay: MASTER_TIER.deregistrationDelaySeconds,
            healthCheck: {
                enabled: true,
                protocol: "HTTP",
                port: String(MASTER_TIER.masterPort),
                path: MASTER_TIER.healthCheck.path,
                matcher: MASTER_TIER.healthCheck.matcher,
                interval: MASTER_TIER.healthCheck.intervalSeconds,
                timeout: MASTER_TIER.healthCheck.timeoutSeconds,
                healthyThreshold: MASTER_TIER.healthCheck.healthyThreshold,
                unhealthyThreshold: MASTER_TIER.healthCheck.unhealthyThreshold,
            },
            tags: { Name: args.names.targetGroup },
        }, parent));

        const https = this.createListeners(name, args, loadBalancer, targetGroup);
        const { launchTemplate, role } = this.createNodes(name, args);

        const group = new aws.autoscaling.Group(...applyTransform(t.autoScalingGroup, `${name}-asg`, {
            name: args.names.masterAsg,
            minSize: args.nodes.min,
            desiredCapacity: args.nodes.desired,
            maxSize: args.nodes.max,
            vpcZoneIdentifiers: args.subnetIds,
            targetGroupArns: [targetGroup.arn],
            healthCheckType: "ELB",
            healthCheckGracePeriod: MASTER_TIER.healthCheckGracePeriodSeconds,
            // The provider's capacity wait fails saying nothing of the masters: `up` waits in
            // InstanceRefreshWait instead (waitForRefreshes). "0" turns the provider's off.
            waitForCapacityTimeout: "0",
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            instanceRefresh: {
                strategy: "Rolling",
                preferences: {
                    minHealthyPercentage: MASTER_TIER.instanceRefresh.minHealthyPercentage,
                    maxHealthyPercentage: MASTER_TIER.instanceRefresh.maxHealthyPercentage,
                    instanceWarmup: String(MASTER_TIER.instanceRefresh.instanceWarmupSeconds),
                },
            },
            tags: propagatedTags({ "Name": args.names.masterNodeTag, "ov-cluster-member": MASTER_TIER.clusterMemberTag }),
        }, { ...parent, dependsOn: [args.configuration] }));
        if (args.waitForHealthyMasters ?? true) this.waitForRefreshes(name, args, group, targetGroup, https);

        this.loadBalancerDnsName = loadBalancer.dnsName;
        this.loadBalancerZoneId = loadBalancer.zoneId;
        this.loadBalancerArn = loadBalancer.arn;
        this.targetGroupArn = targetGroup.arn;
        this.asgName = group.name;
        this.roleName = role.name;
        this.roleArn = role.arn;
        this.registerOutputs({
            loadBalancerDnsName: this.loadBalancerDnsName,
            loadBalancerZoneId: this.loadBalancerZoneId,
            targetGroupArn: this.targetGroupArn,
            asgName: this.asgName,
            roleName: this.roleName,
            roleArn: this.roleArn,
        });
    }

    /**
     * A green `pulumi up` means masters booted with their configuration and serve: on create
     * `up` waits for `nodes.desired` of them, and on an update for the instance refresh the
     * provider only starts (components/instanceRefresh), each failing with what every master says.
     */
    private waitForRefreshes(name: string, args: MasterTierArgs, group: aws.autoscaling.Group, targetGroup: aws.lb.TargetGroup, https: aws.lb.Listener): void {
        new InstanceRefreshWait(`${name}-refresh`, {
            groupName: group.name,
            // The group's own launch template: what the provider compares to decide on a refresh.
            launchTemplateId: group.launchTemplate.apply((template) => template?.id ?? ""),
            launchTemplateVersion: group.launchTemplate.apply((template) => template?.version ?? ""),
            targetGroupArn: targetGroup.arn,
            region: args.region,
            timeoutSeconds: refreshWaitSeconds(MASTER_TIER),
            desiredMasters: args.nodes.desired,
            capacityTimeoutSeconds: mastersWaitSeconds(MASTER_TIER),
            bootLogGroupName: args.names.bootLogGroup,
            access: args.awsAccess,
            // The target group checks its targets only once a listener forwards to it (`unused` until then).
        }, { parent: this, dependsOn: [group, https] });
    }

    /** HTTP 80 redirects to HTTPS; HTTPS 443 forwards to the masters, with the reference's rules. */
    private createListeners(name: string, args: MasterTierArgs, loadBalancer: aws.lb.LoadBalancer, targetGroup: aws.lb.TargetGroup): aws.lb.Listener {
        const parent = { parent: this };
        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{
                type: "redirect",
                redirect: { protocol: "HTTPS", port: "443", host: "#{host}", path: "/#{path}", query: "#{query}", statusCode: "HTTP_301" },
            }],
        }, parent);
        const https = new aws.lb.Listener(...applyTransform(args.transform?.httpsListener, `${name}-https`, {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: MASTER_TIER.sslPolicy,
            certificateArn: args.certificateArn,
            defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        }, parent));

        // The reference's rules, in its priority order.
        new aws.lb.ListenerRule(`${name}-rule-root`, {
            listenerArn: https.arn,
            priority: 1,
            conditions: [{ pathPattern: { values: ["/"] } }],
            actions: [{ type: "fixed-response", fixedResponse: { statusCode: "401", contentType: "text/plain" } }],
        }, parent);
        new aws.lb.ListenerRule(`${name}-rule-inspector`, {
            listenerArn: https.arn,
            priority: 2,
            conditions: [{ pathPattern: { values: ["/inspector"] } }],
            actions: [{
                type: "redirect",
                redirect: { protocol: "#{protocol}", port: "#{port}", host: "#{host}", path: "/inspector/", query: "#{query}", statusCode: "HTTP_301" },
            }],
        }, parent);
        new aws.lb.ListenerRule(`${name}-rule-openvidu`, {
            listenerArn: https.arn,
            priority: 3,
            conditions: [{ pathPattern: { values: ["/openvidu*"] } }],
            actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        }, parent);
        return https;
    }

    /** The masters' role (replication manager + SSM), profile and launch template. */
    private createNodes(name: string, args: MasterTierArgs): { launchTemplate: aws.ec2.LaunchTemplate; role: aws.iam.Role } {
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const policy = pulumi
            .all([partition.partition, identity.accountId, args.bucketArn, args.queueArn])
            .apply(([partitionName, accountId, bucketArn, queueArn]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: masterPolicyStatements({
                    partition: partitionName,
                    region: args.region,
                    accountId,
                    bucketArn,
                    queueArn,
                    masterAsgName: args.names.masterAsg,
                    mediaAsgName: args.names.mediaAsg,
                    bootLogGroupName: args.names.bootLogGroup,
                }),
            }));
        const { role, profile } = createInstanceRole(this, name, {
            namePrefix: `${args.names.prefix}-master-`,
            description: `OpenVidu master nodes of ${args.names.masterAsg}`,
            ssmAccess: args.ssmAccess,
            policy,
            transform: args.transform?.role,
        });
        const launchTemplate = new aws.ec2.LaunchTemplate(...applyTransform(args.transform?.launchTemplate, `${name}-template`, {
            namePrefix: `${args.names.prefix}-master-`,
            description: "OpenVidu master node",
            ...nodeLaunchTemplateArgs({
                amiId: args.amiId,
                instanceType: args.instanceType,
                keyName: args.keyName,
                securityGroupId: args.masterSecurityGroupId,
                volumeSize: args.volumeSize,
                instanceProfileArn: profile.arn,
                userData: args.userData,
                tags: { Name: args.names.masterNodeTag },
            }),
        }, parent));
        return { launchTemplate, role };
    }
}
