/** AMIs (used in place, or copied with AmiCopy) and the optional DNS record and certificate. */
import * as assert from "assert";
import { all, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

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
        assert.deepStrictEqual(record.aliases, [{ name: "dev-alb-1234567890.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }]);
        assert.deepStrictEqual(all(run, "aws:acm/certificate:Certificate"), [], "the configured certificate is used");
    });

    it("with hostedZoneId and no certificateArn, issues an ACM certificate validated by DNS and uses it", async () => {
        const run = await runProgram({ ...VALID_CONFIG, certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        const cert = inputsOf(one(run, "aws:acm/certificate:Certificate"));
        assert.deepStrictEqual([cert.domainName, cert.validationMethod], [VALID_CONFIG.domainName, "DNS"]);
        const validationRecord = inputsOf(one(run, "aws:route53/record:Record", "certificate-validation"));
        assert.deepStrictEqual([validationRecord.name, validationRecord.type, validationRecord.records], [`_abc.${VALID_CONFIG.domainName}.`, "CNAME", ["_xyz.acm-validations.aws."]]);
        const validation = inputsOf(one(run, "aws:acm/certificateValidation:CertificateValidation"));
        assert.deepStrictEqual(validation.validationRecordFqdns, [`_abc.${VALID_CONFIG.domainName}`]);
        const https = all(run, "aws:lb/listener:Listener").map(inputsOf).find((l) => l.port === 443);
        assert.strictEqual(https?.certificateArn, validation.certificateArn, "the listener waits for the validated certificate");
    });
});
