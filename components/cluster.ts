import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../config/schema";
import { OpenViduConfig } from "../config/types";
import { BootLogs } from "./bootLogs";
import { deployerPrincipalArn } from "./deployer";
import { ClusterCertificate, DomainRecord } from "./dns";
import { EnvFile, S3Access } from "./envFile";
import { cloudFormationStackArn, clusterEnv, ENV_HEADER, masterUserData, secretInUse } from "./envFile/content";
import { NodeImages } from "./images";
import { MasterTier, MasterTierArgs } from "./masterTier";
import { MediaTier, MediaTierArgs } from "./mediaTier";
import { clusterNames } from "./naming";
import { ClusterNetwork, ClusterNetworkArgs } from "./network";
import { AlarmTopic, ClusterOperations } from "./operations";
import { redisNodeIds, ReplicationState, ReplicationStateArgs } from "./replicationState";
import { GeneratedSecrets } from "./secrets";
import { ClusterStorage, ClusterStorageArgs } from "./storage";

export interface OpenViduClusterArgs {
    /** The validated stack configuration (config/). */
    config: OpenViduConfig;
    /**
     * How the `.env` writer reaches S3: the AWS provider's profile and roles (see
     * envFile/access.ts). A program with an explicit AWS provider passes its settings here.
     * @default the SDK's default chain (environment, shared files, instance role)
     */
    s3Access?: S3Access;
    /** Adjust underlying resources per component (see components/transform.ts). */
    transform?: {
        storage?: ClusterStorageArgs["transform"];
        network?: ClusterNetworkArgs["transform"];
        state?: ReplicationStateArgs["transform"];
        master?: MasterTierArgs["transform"];
        media?: MediaTierArgs["transform"];
    };
}

/** The stack outputs, as `index.ts` exports them. */
export interface OpenViduStackOutputs {
    loadBalancerUrl: pulumi.Output<string>;
    inspectorUrl: pulumi.Output<string>;
    domainName: pulumi.Output<string>;
    bucketName: pulumi.Output<string>;
    masterAsgName: pulumi.Output<string>;
    mediaAsgName: pulumi.Output<string>;
    /** A Pulumi secret. */
    openviduSecret: pulumi.Output<string>;
    /** The CloudWatch dashboard of the cluster in the console; empty with alarmsEnabled false. */
    dashboardUrl: pulumi.Output<string>;
    /** The SNS topic the alarms publish to; empty with alarmsEnabled false. */
    alarmTopicArn: pulumi.Output<string>;
    /** The CloudWatch Logs group of the masters' boot lines (a stream per instance id). */
    bootLogGroupName: pulumi.Output<string>;
}

/**
 * OpenVidu Enterprise HA on AWS: wires the components together. Nothing here
 * reads config or knows an AWS fact; each component owns its own.
 *
 * @example
 * const cluster = new OpenViduCluster("openvidu", { config: loadConfig() });
 * export const url = cluster.outputs.loadBalancerUrl;
 */
export class OpenViduCluster extends pulumi.ComponentResource {
    readonly outputs: OpenViduStackOutputs;

    constructor(name: string, args: OpenViduClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:OpenViduCluster", name, {}, opts);
        const config = args.config;
        const names = clusterNames(config.stackName, config.clusterId, pulumi.getProject(), { referenceNames: config.referenceNames });
        const parent = { parent: this };

        const secrets = new GeneratedSecrets(`${name}-secrets`, { openviduSecret: config.openviduSecret }, parent);
        // The masters' role exists only once the master tier does, which needs the bucket first.
        const [masterRoleArn, resolveMasterRoleArn] = pulumi.deferredOutput<string>();
        const storage = new ClusterStorage(`${name}-storage`, {
            bucketPrefix: names.bucketPrefix,
            existingBucketName: config.bucketName,
            region: config.region,
            envPrincipalArns: [masterRoleArn, deployerPrincipalArn(config.deployerRoleArn, parent)],
            envReaderArns: config.envReaderArns,
            lifecycle: config.bucketLifecycle,
            transform: args.transform?.storage,
        }, parent);
        const images = new NodeImages(`${name}-images`, {
            masterAmiId: config.masterAmiId,
            mediaAmiId: config.mediaAmiId,
            ownerId: config.amiOwnerId,
            region: config.region,
            sourceRegion: config.amiSourceRegion,
            namePrefix: names.prefix,
        }, parent);
        const network = new ClusterNetwork(`${name}-network`, {
            namePrefix: names.prefix,
            existing: config.network,
            transform: args.transform?.network,
        }, parent);
        // Before Redis, which tells the topic of its failovers.
        const alarmTopic = config.alarms.enabled ? new AlarmTopic(`${name}-alarm-topic`, {
            namePrefix: names.prefix,
            emails: config.alarms.emails,
            existingTopicArn: config.alarms.topicArn,
        }, parent) : undefined;
        const state = new ReplicationState(`${name}-state`, {
            redisName: names.redis,
            queueName: names.queue,
            namePrefix: names.prefix,
            subnetIds: network.subnetIds,
            redisSecurityGroupId: network.securityGroupIds.redis,
            redisNodes: config.redis,
            mediaAsgName: names.mediaAsg,
            notificationTopicArn: alarmTopic?.topicArn,
            transform: args.transform?.state,
        }, parent);
        const certificate = new ClusterCertificate(`${name}-certificate`, {
            domainName: config.domainName,
            certificateArn: config.certificateArn,
            hostedZoneId: config.hostedZoneId,
        }, parent);

        const env = clusterEnv({
            config,
            openviduSecret: secrets.openviduSecret,
            coturnSharedSecret: secrets.coturnSharedSecret,
            bucketName: storage.bucketName,
            redisAddress: state.redisAddress,
            redisPort: state.redisPort,
            queueName: state.queueName,
            masterAsgName: names.masterAsg,
            mediaAsgName: names.mediaAsg,
            stackArn: stackArn(config.region, names.cloudFormationStackName, parent),
        });
        const envFile = new EnvFile(`${name}-env`, {
            bucket: storage.bucketName,
            region: config.region,
            ...env,
            header: ENV_HEADER,
            deleteOnDestroy: config.deleteEnvOnDestroy,
            deleteOnDestroyConfig: `${CONFIG_NAMESPACE}:deleteEnvOnDestroy`,
            access: args.s3Access,
            takeover: config.envTakeover,
            takeoverConfig: `${CONFIG_NAMESPACE}:envTakeover`,
        }, { ...parent, dependsOn: storage.policy ? [storage.policy] : [] });

        // Before the masters: their user data names the group, so none boots before it exists.
        const bootLogs = new BootLogs(`${name}-boot-logs`, {
            groupName: names.bootLogGroup,
            region: config.region,
            retentionDays: config.bootLogRetentionDays,
        }, parent);
        const master = new MasterTier(`${name}-master`, {
            names,
            region: config.region,
            vpcId: network.vpcId,
            subnetIds: network.subnetIds,
            loadBalancerSecurityGroupId: network.securityGroupIds.loadBalancer,
            masterSecurityGroupId: network.securityGroupIds.master,
            certificateArn: certificate.certificateArn,
            amiId: images.masterAmiId,
            instanceType: config.masterInstanceType,
            keyName: config.keyName,
            ssmAccess: config.masterSsmAccess,
            volumeSize: config.masterVolumeSize,
            nodes: config.masterNodes,
            waitForHealthyMasters: config.waitForHealthyMasters,
            bucketName: storage.bucketName,
            bucketArn: storage.bucketArn,
            queueArn: state.queueArn,
            userData: masterUserData({ bucketName: storage.bucketName, region: config.region, logGroupName: bootLogs.groupName }),
            configuration: envFile,
            awsAccess: args.s3Access,
            transform: args.transform?.master,
        }, parent);
        resolveMasterRoleArn(master.roleArn);
        const media = new MediaTier(`${name}-media`, {
            names,
            subnetIds: network.subnetIds,
            mediaSecurityGroupId: network.securityGroupIds.media,
            amiId: images.mediaAmiId,
            instanceType: config.mediaInstanceType,
            keyName: config.keyName,
            ssmAccess: config.mediaSsmAccess,
            volumeSize: config.mediaVolumeSize,
            nodes: config.mediaNodes,
            scaleUpCpu: config.scaleUpCpu,
            scaleDownCpu: config.scaleDownCpu,
            lifecycleDelivery: state.mediaLifecycleDelivery,
            transform: args.transform?.media,
        }, parent);

        if (config.hostedZoneId !== undefined) {
            new DomainRecord(`${name}-dns`, {
                domainName: config.domainName,
                hostedZoneId: config.hostedZoneId,
                overwrite: config.overwriteDnsRecord,
                loadBalancerDnsName: master.loadBalancerDnsName,
                loadBalancerZoneId: master.loadBalancerZoneId,
            }, parent);
        }

        const operations = alarmTopic === undefined ? undefined : new ClusterOperations(`${name}-operations`, {
            namePrefix: names.prefix,
            region: config.region,
            topicArn: alarmTopic.topicArn,
            loadBalancerArn: master.loadBalancerArn,
            targetGroupArn: master.targetGroupArn,
            desiredMasters: config.masterNodes.desired,
            masterAsgName: master.asgName,
            mediaAsgName: media.asgName,
            mediaNodes: config.mediaNodes,
            queueName: state.queueName,
            redisNodeIds: redisNodeIds(names.redis, config.redis.replicas),
            scalingAlarmArns: media.scalingAlarmArns,
        }, parent);

        this.outputs = {
            loadBalancerUrl: pulumi.interpolate`https://${master.loadBalancerDnsName}`,
            inspectorUrl: pulumi.output(`https://${config.domainName}/inspector`),
            domainName: pulumi.output(config.domainName),
            bucketName: storage.bucketName,
            masterAsgName: master.asgName,
            mediaAsgName: media.asgName,
            openviduSecret: secretInUse(envFile.fileAtLastUp, secrets.openviduSecret),
            dashboardUrl: operations?.dashboardUrl ?? pulumi.output(""),
            alarmTopicArn: alarmTopic?.topicArn ?? pulumi.output(""),
            bootLogGroupName: bootLogs.groupName,
        };
        this.registerOutputs({ ...this.outputs });
    }
}

/**
 * Stands in for CloudFormation's stack ARN in RM_CLOUDFORMATION_ARN: this
 * account and region, the stack's name prefix, and an id derived from the
 * stack's fully qualified name (stable for the stack's whole life).
 */
function stackArn(region: string, stackName: string, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    const identity = aws.getCallerIdentityOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    const stackIdentity = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    return pulumi.all([partition.partition, identity.accountId]).apply(([partitionName, accountId]) =>
        cloudFormationStackArn({ partition: partitionName, region, accountId, stackName, stackIdentity }));
}
