// OpenVidu Enterprise HA on AWS. Config in (config/), one component
// (components/cluster.ts), outputs out. See README.md.
import { openviduProgram } from "./program";

const outputs = openviduProgram();

/** Point the domain here (done for you when openvidu:hostedZoneId is set). */
export const loadBalancerUrl = outputs.loadBalancerUrl;
export const inspectorUrl = outputs.inspectorUrl;
export const domainName = outputs.domainName;
/** The cluster's bucket: the shared .env and recordings/. */
export const bucketName = outputs.bucketName;
export const masterAsgName = outputs.masterAsgName;
export const mediaAsgName = outputs.mediaAsgName;
/** The OPENVIDUAPP secret in use, from the cluster's .env (a Pulumi secret: `pulumi stack output --show-secrets openviduSecret`). */
export const openviduSecret = outputs.openviduSecret;
/** The cluster's CloudWatch dashboard in the console (empty with openvidu:alarmsEnabled false). */
export const dashboardUrl = outputs.dashboardUrl;
/** The SNS topic the alarms publish to: subscribe here (empty with openvidu:alarmsEnabled false). */
export const alarmTopicArn = outputs.alarmTopicArn;
