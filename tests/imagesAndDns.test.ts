/** AMIs (used in place, or copied with AmiCopy) and the optional DNS record and certificate. */
import * as assert from "assert";
import { ConfigError } from "../config/errors";
import { all, failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

describe("AMIs", () => {
    it("uses masterAmiId/mediaAmiId as they are when they are in the stack's region", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        assert.deepStrictEqual(all(run, "aws:ec2/amiCopy:AmiCopy"), []);
        assert.strictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).imageId, VALID_CONFIG.masterAmiId);
    });

    it("with amiSourceRegion, copies both into the stack's region with AmiCopy (no Lambda) and launches the copies", async () => {
        const run = await runProgram({ ...VALID_CONFIG, amiSourceRegion: "eu-central-1" });
        const copies = all(run, "aws:ec2/amiCopy:AmiCopy").map(inputsOf);
        assert.deepStrictEqual(copies.map((c) => [c.sourceAmiId, c.sourceAmiRegion]).sort(), [
            [VALID_CONFIG.masterAmiId, "eu-central-1"], [VALID_CONFIG.mediaAmiId, "eu-central-1"],
        ].sort());
        assert.strictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template")).imageId, "ami-0c0c0c0c0c0c0c0c0");
        assert.deepStrictEqual(all(run, "aws:lambda/function:Function"), []);
    });
});

describe("DNS and certificate", () => {
    it("with certificateArn and no hostedZoneId, creates no DNS record and no certificate", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        assert.deepStrictEqual(all(run, "aws:route53/record:Record"), []);
        assert.deepStrictEqual(all(run, "aws:acm/certificate:Certificate"), []);
    });

    it("with hostedZoneId, points the domain at the load balancer with an alias A record", async () => {
        const run = await runProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        const record = inputsOf(one(run, "aws:route53/record:Record", "dns-alias"));
        assert.deepStrictEqual([record.zoneId, record.name, record.type], ["Z0123456789ABCDEFGHIJ", VALID_CONFIG.domainName, "A"]);
        assert.deepStrictEqual(record.aliases, [{ name: "dev-21630d-alb-1234567890.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }]);
        assert.deepStrictEqual(all(run, "aws:acm/certificate:Certificate"), [], "the configured certificate is used");
    });

    it("creates the alias without taking over anything unless openvidu:overwriteDnsRecord is true", async () => {
        const run = await runProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        assert.strictEqual(inputsOf(one(run, "aws:route53/record:Record", "dns-alias")).allowOverwrite, false);
        const taking = await runProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ", overwriteDnsRecord: "true" });
        const record = inputsOf(one(taking, "aws:route53/record:Record", "dns-alias"));
        assert.deepStrictEqual([record.type, record.allowOverwrite], ["A", true]);
    });

    it("stops before creating anything when a CNAME of the domain exists (the CloudFormation guide's manual step), naming the key", async () => {
        const cloud = { dnsRecords: { Z0123456789ABCDEFGHIJ: [
            { name: "openvidu.example.com.", type: "CNAME", values: ["old-alb-1.eu-west-1.elb.amazonaws.com"] },
            { name: "other.openvidu.example.com.", type: "CNAME", values: ["elsewhere.example.net"] },
        ] } };
        const { error } = await failProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ" }, { cloud });
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:overwriteDnsRecord");
        assert.match(error.message, /a CNAME record for openvidu\.example\.com already exists in hosted zone Z0123456789ABCDEFGHIJ/);
        assert.match(error.message, /Set openvidu:overwriteDnsRecord to true .* or delete that record/);
    });

    it("with openvidu:overwriteDnsRecord, takes over that CNAME and points it at the load balancer", async () => {
        const cloud = { dnsRecords: { Z0123456789ABCDEFGHIJ: [{ name: "openvidu.example.com.", type: "CNAME", values: ["old-alb-1.eu-west-1.elb.amazonaws.com"] }] } };
        const run = await runProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ", overwriteDnsRecord: "true" }, { cloud });
        const record = inputsOf(one(run, "aws:route53/record:Record", "dns-alias"));
        assert.deepStrictEqual(
            [record.name, record.type, record.records, record.ttl, record.allowOverwrite, record.aliases],
            ["openvidu.example.com", "CNAME", ["dev-21630d-alb-1234567890.eu-west-1.elb.amazonaws.com"], 60, true, undefined],
        );
    });

    it("ignores records of other names, even ones the domain is a prefix of", async () => {
        const cloud = { dnsRecords: { Z0123456789ABCDEFGHIJ: [{ name: "openvidu.example.com.au.", type: "CNAME" }, { name: "xopenvidu.example.com.", type: "CNAME" }] } };
        const run = await runProgram({ ...VALID_CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ" }, { cloud });
        assert.strictEqual(inputsOf(one(run, "aws:route53/record:Record", "dns-alias")).type, "A");
    });

    it("with hostedZoneId and no certificateArn, issues an ACM certificate validated by DNS and uses it", async () => {
        const run = await runProgram({ ...VALID_CONFIG, certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        const cert = inputsOf(one(run, "aws:acm/certificate:Certificate"));
        assert.deepStrictEqual([cert.domainName, cert.validationMethod], [VALID_CONFIG.domainName, "DNS"]);
        const validationRecord = inputsOf(one(run, "aws:route53/record:Record", "certificate-validation"));
        assert.deepStrictEqual([validationRecord.name, validationRecord.type, validationRecord.records], [`_abc.${VALID_CONFIG.domainName}.`, "CNAME", ["_xyz.acm-validations.aws."]]);
        const validation = inputsOf(one(run, "aws:acm/certificateValidation:CertificateValidation"));
        assert.deepStrictEqual(validation.validationRecordFqdns, [`_abc.${VALID_CONFIG.domainName}`]);
        // Under the mocks (as in AWS) the validation's ARN is the certificate's own: only the
        // dependency shows that the listener waits until the certificate is issued.
        const https = all(run, "aws:lb/listener:Listener").find((l) => inputsOf(l).port === 443);
        assert.ok(https);
        assert.ok(https.dependencies.includes("openvidu-certificate-validated"), `the HTTPS listener waits for the validation: ${https.dependencies.join(", ")}`);
        assert.strictEqual(inputsOf(https).certificateArn, validation.certificateArn);
    });
});
