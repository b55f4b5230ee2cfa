/**
 * The master tier against the reference template: load balancer, listeners
 * and rules, target group and health check, IAM, launch template, ASG.
 */
import * as assert from "assert";
import { MockRun } from "../plan/run";
import { all, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";

function policyDocument(run: MockRun): { Statement: Array<Record<string, any>> } {
    return JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
}

function statement(run: MockRun, sid: string): Record<string, any> {
    const found = policyDocument(run).Statement.find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid}`);
    return found;
}

describe("master tier: load balancer", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }, { stackName: "prod" }); });

    it("is a public Application Load Balancer over the stack's subnets with the load balancer SG", () => {
        const alb = inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer"));
        assert.strictEqual(alb.loadBalancerType, "application");
        assert.strictEqual(alb.internal, false);
        assert.ok(alb.subnets.length >= 2, "at least two subnets");
        assert.strictEqual(alb.securityGroups.length, 1);
        assert.strictEqual(alb.name, "prod-abf890-alb");
    });

    it("drops invalid header fields (beyond the reference)", () => {
        assert.strictEqual(inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer")).dropInvalidHeaderFields, true);
    });

    it("redirects HTTP 80 to HTTPS 443 keeping host, path and query, with a 301", () => {
        const http = all(run, LISTENER).map(inputsOf).find((l) => l.port === 80);
        assert.ok(http);
        assert.strictEqual(http.protocol, "HTTP");
        assert.deepStrictEqual(http.defaultActions, [{
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", host: "#{host}", path: "/#{path}", query: "#{query}", statusCode: "HTTP_301" },
        }]);
    });

    it("terminates HTTPS 443 with the certificate and a TLS 1.2+ policy, forwarding to the masters", () => {
        const https = all(run, LISTENER).map(inputsOf).find((l) => l.port === 443);
        assert.ok(https);
        assert.strictEqual(https.protocol, "HTTPS");
        assert.strictEqual(https.certificateArn, VALID_CONFIG.certificateArn);
        assert.match(https.sslPolicy, /^ELBSecurityPolicy-TLS13-1-2-/);
        const targetGroupArn = one(run, "aws:lb/targetGroup:TargetGroup").name;
        assert.strictEqual(https.defaultActions.length, 1);
        assert.strictEqual(https.defaultActions[0].type, "forward");
        assert.ok(String(https.defaultActions[0].targetGroupArn).includes(targetGroupArn));
    });

    it("answers / with a fixed 401 (priority 1)", () => {
        const rule = all(run, RULE).map(inputsOf).find((r) => r.priority === 1);
        assert.ok(rule);
        assert.deepStrictEqual(rule.conditions, [{ pathPattern: { values: ["/"] } }]);
        assert.strictEqual(rule.actions[0].type, "fixed-response");
        assert.strictEqual(rule.actions[0].fixedResponse.statusCode, "401");
    });

    it("redirects /inspector to /inspector/ with a 301 (priority 2)", () => {
        const rule = all(run, RULE).map(inputsOf).find((r) => r.priority === 2);
        assert.ok(rule);
        assert.deepStrictEqual(rule.conditions, [{ pathPattern: { values: ["/inspector"] } }]);
        assert.strictEqual(rule.actions[0].type, "redirect");
        assert.strictEqual(rule.actions[0].redirect.path, "/inspector/");
        assert.strictEqual(rule.actions[0].redirect.statusCode, "HTTP_301");
    });

    it("forwards /openvidu* to the master target group (priority 3), and has no other rule", () => {
        const rules = all(run, RULE).map(inputsOf);
        assert.deepStrictEqual(rules.map((r) => r.priority).sort(), [1, 2, 3]);
        const rule = rules.find((r) => r.priority === 3);
        assert.ok(rule);
        assert.deepStrictEqual(rule.conditions, [{ pathPattern: { values: ["/openvidu*"] } }]);
        assert.strictEqual(rule.actions[0].type, "forward");
        assert.ok(String(rule.actions[0].targetGroupArn).includes(one(run, "aws:lb/targetGroup:TargetGroup").name));
    });

    it("has a target group on HTTP 4443 with the latest 2.x template's health check (/ answering 401-403)", () => {
        const tg = inputsOf(one(run, "aws:lb/targetGroup:TargetGroup"));
        assert.strictEqual(tg.port, 4443);
        assert.strictEqual(tg.protocol, "HTTP");
        assert.strictEqual(tg.targetType, "instance");
        assert.deepStrictEqual(
            {
                protocol: tg.healthCheck.protocol, port: tg.healthCheck.port, path: tg.healthCheck.path,
                matcher: tg.healthCheck.matcher, interval: tg.healthCheck.interval, timeout: tg.healthCheck.timeout,
                healthyThreshold: tg.healthCheck.healthyThreshold, unhealthyThreshold: tg.healthCheck.unhealthyThreshold,
            },
            { protocol: "HTTP", port: "4443", path: "/", matcher: "401-403", interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 4 },
        );
    });

    it("sets an explicit deregistration delay (60 s instead of AWS's 300 s default)", () => {
        assert.strictEqual(inputsOf(one(run, "aws:lb/targetGroup:TargetGroup")).deregistrationDelay, 60);
    });
});

describe("master tier: IAM", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }); });

    it("lets EC2 assume the role, and attaches it through an instance profile", () => {
        const trust = JSON.parse(inputsOf(one(run, "aws:iam/role:Role", "master-role")).assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        assert.strictEqual(trust.Statement[0].Action, "sts:AssumeRole");
        const profile = inputsOf(one(run, "aws:iam/instanceProfile:InstanceProfile", "master-profile"));
        assert.strictEqual(profile.role, "openvidu-master-role");
    });

    it("reads, writes and deletes objects only in the cluster's bucket", () => {
        const s = statement(run, "ClusterBucketObjects");
        assert.deepStrictEqual(s.Action, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
        assert.match(s.Resource, /^arn:aws:s3:::[a-z0-9.-]+\/\*$/);
    });

    it("lists and locates only the cluster's bucket", () => {
        const s = statement(run, "ClusterBucket");
        assert.deepStrictEqual(s.Action, ["s3:ListBucket", "s3:GetBucketLocation"]);
        assert.match(s.Resource, /^arn:aws:s3:::[a-z0-9.-]+$/);
    });

    it("may do everything on its queue and nothing on any other (the reference's sqs:*, resource narrowed)", () => {
        const s = statement(run, "ReplicationQueue");
        assert.deepStrictEqual(s.Action, ["sqs:*"]);
        assert.strictEqual(s.Resource, "arn:aws:sqs:eu-west-1:123456789012:dev-21630d-SQS.fifo");
    });

    it("sets instance health and protection only on this stack's two groups", () => {
        const s = statement(run, "ClusterGroups");
        assert.deepStrictEqual(s.Action, ["autoscaling:SetInstanceHealth", "autoscaling:SetInstanceProtection"]);
        assert.deepStrictEqual(s.Resource, [
            "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/dev-21630d-ASGOpenViduProMasterNode",
            "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/dev-21630d-ASGMediaNode",
        ]);
    });

    it("describes groups and every EC2 object (the reference's ec2:Describe*)", () => {
        const s = statement(run, "DescribeCluster");
        assert.deepStrictEqual(s.Action, ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "ec2:Describe*"]);
        assert.strictEqual(s.Resource, "*");
    });

    it("tags only instances of this stack's groups", () => {
        const s = statement(run, "TagClusterInstances");
        assert.deepStrictEqual(s.Action, ["ec2:CreateTags"]);
        assert.strictEqual(s.Resource, "arn:aws:ec2:eu-west-1:123456789012:instance/*", "instances only, never \"*\"");
        assert.deepStrictEqual(s.Condition, {
            StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": ["dev-21630d-ASGOpenViduProMasterNode", "dev-21630d-ASGMediaNode"] },
        });
    });

    it("writes the boot's lines only to streams of this stack's boot log group", () => {
        const s = statement(run, "BootLogStreams");
        assert.deepStrictEqual(s.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.strictEqual(s.Resource, "arn:aws:logs:eu-west-1:123456789012:log-group:/openvidu/dev-21630d/boot:log-stream:*");
    });

    it("grants nothing else, and never Action \"*\"", () => {
        const sids = policyDocument(run).Statement.map((s) => s.Sid);
        assert.deepStrictEqual(sids, ["ClusterBucketObjects", "ClusterBucket", "ReplicationQueue", "ClusterGroups", "DescribeCluster", "TagClusterInstances",
            "BootLogStreams"]);
        for (const s of policyDocument(run).Statement) assert.ok(!s.Action.includes("*"));
    });

    it("opens SSM Session Manager instead of requiring an SSH key", () => {
        const attachment = inputsOf(one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "master-ssm"));
        assert.strictEqual(attachment.policyArn, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        assert.strictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).keyName, undefined);
    });
});

describe("master tier: nodes", () => {
    let run: MockRun;
    before(async () => {
        run = await runProgram({
            ...VALID_CONFIG, masterInstanceType: "m5.large", masterVolumeSize: "120", keyName: "ops",
            minMasterNodes: "2", desiredMasterNodes: "3", maxMasterNodes: "5",
        }, { stackName: "prod" });
    });

    it("launches masters with IMDSv2 required (hop limit 1), the master SG and the instance profile", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        assert.deepStrictEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.strictEqual(lt.networkInterfaces[0].securityGroups.length, 1);
        assert.ok(lt.iamInstanceProfile.arn.includes("openvidu-master-profile"));
    });

    it("uses the master AMI, instance type and key pair", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        assert.strictEqual(lt.imageId, VALID_CONFIG.masterAmiId);
        assert.strictEqual(lt.instanceType, "m5.large");
        assert.strictEqual(lt.keyName, "ops");
    });

    it("boots from an encrypted gp3 /dev/sda1 deleted on termination, of the configured size", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        assert.deepStrictEqual(lt.blockDeviceMappings, [{
            deviceName: "/dev/sda1",
            ebs: { volumeSize: 120, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        }]);
    });

    it("gives masters a public IPv4 address explicitly", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        assert.strictEqual(lt.networkInterfaces[0].associatePublicIpAddress, "true");
    });

    it("passes user data (base64) that locates the configuration in the bucket", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        const script = Buffer.from(lt.userData, "base64").toString("utf8");
        assert.ok(script.startsWith("#"), "a script or cloud-config");
        assert.ok(script.includes("eu-west-1"), "names the region");
    });

    it("names the group <stack>-ASGOpenViduProMasterNode with min/desired/max from config", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.strictEqual(asg.name, "prod-abf890-ASGOpenViduProMasterNode");
        assert.deepStrictEqual([asg.minSize, asg.desiredCapacity, asg.maxSize], [2, 3, 5]);
        assert.ok(asg.vpcZoneIdentifiers.length >= 2);
    });

    it("registers masters in the target group with ELB health checks and the boot timeline's 720 s grace period", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.strictEqual(asg.healthCheckType, "ELB");
        assert.strictEqual(asg.healthCheckGracePeriod, 720, "models/bootTimeline.ts: the slowest good boot is healthy at 711 s");
        assert.strictEqual(asg.targetGroupArns.length, 1);
        assert.ok(String(asg.targetGroupArns[0]).includes("openvidu-master-targets"));
    });

    it("makes `pulumi up` wait until the desired number of masters serve, 26 minutes at most, in its own wait (not the provider's)", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        // The provider's wait fails without a word on the masters: it is off, the wait below explains.
        assert.strictEqual(asg.waitForCapacityTimeout, "0", "the provider's switch for no waiting at all");
        assert.strictEqual(asg.waitForElbCapacity, undefined);
        const wait = inputsOf(one(run, "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait", "master-refresh"));
        assert.strictEqual(wait.desiredMasters, 3, "desiredMasterNodes");
        assert.strictEqual(wait.capacityTimeoutSeconds, 26 * 60, "models/bootTimeline.ts: up's wait");
        assert.match(String(wait.bootLogGroupName), /^\/openvidu\/.+\/boot$/, "a failure points to the masters' boot log streams");
    });

    it("skips that wait with openvidu:waitForHealthyMasters false: the group is declared the same", async () => {
        const other = await runProgram({ ...VALID_CONFIG, waitForHealthyMasters: "false" }, { stackName: "prod" });
        const asg = inputsOf(one(other, "aws:autoscaling/group:Group", "master-asg"));
        assert.strictEqual(asg.waitForElbCapacity, undefined);
        assert.strictEqual(asg.waitForCapacityTimeout, "0");
        assert.strictEqual(all(other, "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait").length, 0, "no wait of ours either");
    });

    it("makes `pulumi up` wait for the masters' instance refresh: a resource after the group, fed the group's launch template", () => {
        const wait = one(run, "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait", "master-refresh");
        const inputs = inputsOf(wait);
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.strictEqual(inputs.groupName, "prod-abf890-ASGOpenViduProMasterNode");
        // What the provider compares to start a refresh: the group's launch template id and version.
        assert.strictEqual(inputs.launchTemplateId, asg.launchTemplate.id);
        assert.strictEqual(inputs.launchTemplateVersion, "1");
        assert.strictEqual(inputs.targetGroupArn, "arn:aws:lb:eu-west-1:123456789012:openvidu-master-targets");
        assert.strictEqual(inputs.region, "eu-west-1");
        assert.strictEqual(inputs.timeoutSeconds, 35 * 60, "26 minutes' wait for healthy masters, 480 s warmup, 60 s drain");
        assert.ok(wait.dependencies.includes("openvidu-master-asg"), "declared after the group");
        // The target group checks its targets only once a listener forwards to it: before, they are `unused`.
        assert.ok(wait.dependencies.includes("openvidu-master-https"), "declared after the listener that puts the target group in service");
        assert.strictEqual(wait.parent, "openvidu-master");
    });

    it("waits for no refresh with openvidu:waitForHealthyMasters false", async () => {
        const other = await runProgram({ ...VALID_CONFIG, waitForHealthyMasters: "false" }, { stackName: "prod" });
        assert.strictEqual(all(other, "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait").length, 0);
    });

    it("tags masters Name=<stack>-Master Node and ov-cluster-member=server, propagated", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.deepStrictEqual(asg.tags, [
            { key: "Name", value: "prod-Master Node", propagateAtLaunch: true },
            { key: "ov-cluster-member", value: "server", propagateAtLaunch: true },
        ]);
    });

    it("rolls out a new launch template with new masters healthy before old ones go", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.strictEqual(asg.instanceRefresh.strategy, "Rolling");
        assert.strictEqual(asg.instanceRefresh.preferences.minHealthyPercentage, 100);
        assert.ok(asg.instanceRefresh.preferences.maxHealthyPercentage > 100);
        assert.strictEqual(asg.instanceRefresh.preferences.instanceWarmup, "480", "models/bootTimeline.ts: a first-try boot at its bounds");
        assert.strictEqual(String(asg.launchTemplate.version), "1", "follows the template's latest version");
    });

    it("does not autoscale masters: no scaling policy on the master group", () => {
        const policies = all(run, "aws:autoscaling/policy:Policy").map(inputsOf);
        assert.ok(policies.length > 0);
        assert.ok(policies.every((p) => p.autoscalingGroupName !== "prod-abf890-ASGOpenViduProMasterNode"));
    });
});
