// OpenVidu Enterprise HA on AWS. Config in (config/), one component
// (components/cluster.ts), outputs out. See README.md.
import { openviduProgramAfterLookups, rethrowWithoutStack } from "./program";
import { installSdkStackTraces } from "./startup/sdkStackTraces";

// The SDK's per-resource and per-promise stack captures, formatted without
// source-map-support's per-frame cost: a third of every preview's start-up.
installSdkStackTraces();

/**
 * The program `pulumi preview` / `pulumi up` run. The config and the checks that
 * need AWS lookups (AMIs by name, the given subnets' zones, an adopted bucket's
 * region, an existing DNS record) run before anything is declared, so every
 * problem is reported at once, as through the Automation API.
 */
export = async () => {
    const outputs = await openviduProgramAfterLookups().catch(rethrowWithoutStack);
    return {
        /** Point the domain here (done for you when openvidu:hostedZoneId is set). */
        loadBalancerUrl: outputs.loadBalancerUrl,
        inspectorUrl: outputs.inspectorUrl,
        domainName: outputs.domainName,
        /** The cluster's bucket: the shared .env and recordings/. */
        bucketName: outputs.bucketName,
        masterAsgName: outputs.masterAsgName,
        mediaAsgName: outputs.mediaAsgName,
        /** The OPENVIDUAPP secret in use, from the cluster's .env (a Pulumi secret: `pulumi stack output --show-secrets openviduSecret`). */
        openviduSecret: outputs.openviduSecret,
        /** The cluster's CloudWatch dashboard in the console (empty with openvidu:alarmsEnabled false). */
        dashboardUrl: outputs.dashboardUrl,
        /** The SNS topic the alarms publish to: subscribe here (empty with openvidu:alarmsEnabled false). */
        alarmTopicArn: outputs.alarmTopicArn,
        /** The masters' boot lines, a stream per instance id: `aws logs tail <group> --log-stream-names <instance-id>` (docs/operations.md). */
        bootLogGroupName: outputs.bootLogGroupName,
    };
};
