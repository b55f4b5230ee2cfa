import * as assert from "assert";
import { ConfigError, ConfigProblem, HowToSet, validateConfig } from "../config";
import { AWS_PROVIDER_KEYS } from "../config/namespaces";
import { failProgram, VALID_CONFIG } from "./harness";

interface BadCase {
    /** What is wrong. */
    why: string;
    /** Overrides of VALID_CONFIG (undefined removes a key). */
    config: Record<string, string | undefined>;
    /** The key the error must name. */
    key: string;
    /** A fragment the message must contain (what is allowed). */
    says?: RegExp;
    plaintext?: string[];
    region?: string;
}

const ES_ON = {
    elasticsearchEnabled: "true",
    elasticsearchUrl: "https://es.example.com:443",
    kibanaUrl: "https://kibana.example.com:443",
    elasticsearchPassword: "s3cretPw",
};
const EXISTING_NET = { vpcId: "vpc-0123456789abcdef0" };

const BAD: BadCase[] = [
    { why: "domain missing", config: { domainName: undefined }, key: "openvidu:domainName", says: /required/ },
    { why: "domain upper case", config: { domainName: "OpenVidu.Example.com" }, key: "openvidu:domainName", says: /lower-case/ },
    { why: "domain single label", config: { domainName: "localhost" }, key: "openvidu:domainName" },
    { why: "domain with underscore", config: { domainName: "open_vidu.example.com" }, key: "openvidu:domainName" },
    { why: "cluster id with spaces", config: { clusterId: "My Cluster" }, key: "openvidu:clusterId", says: /a-z, 0-9/ },
    { why: "license missing", config: { license: undefined }, key: "openvidu:license", says: /--secret/ },
    { why: "license blank", config: { license: "   " }, key: "openvidu:license", says: /blank/ },
    { why: "license in plain text", config: {}, plaintext: ["license"], key: "openvidu:license", says: /plain text/ },
    { why: "secret with '!'", config: { openviduSecret: "abc!def" }, key: "openvidu:openviduSecret", says: /A-Z, a-z, 0-9/ },
    { why: "secret in plain text", config: { openviduSecret: "abcdef" }, plaintext: ["openviduSecret"], key: "openvidu:openviduSecret", says: /plain text/ },
    { why: "unknown media server", config: { mediaServer: "janus" }, key: "openvidu:mediaServer", says: /mediasoup, kurento/ },
    { why: "bucket name with capitals", config: { bucketName: "My_Bucket" }, key: "openvidu:bucketName", says: /lower-case/ },
    { why: "bucket name too short", config: { bucketName: "ab" }, key: "openvidu:bucketName", says: /3 to 63/ },
    { why: "bucket name like an IP", config: { bucketName: "192.168.1.1" }, key: "openvidu:bucketName", says: /IP address/ },
    { why: "bucket name with the reserved xn-- prefix", config: { bucketName: "xn--recordings" }, key: "openvidu:bucketName", says: /reserved prefix/ },
    { why: "bucket name with the reserved sthree- prefix", config: { bucketName: "sthree-recordings" }, key: "openvidu:bucketName", says: /reserved prefix/ },
    { why: "bucket name with the reserved -s3alias suffix", config: { bucketName: "recordings-s3alias" }, key: "openvidu:bucketName", says: /reserved suffix/ },
    { why: "bucket name with the reserved --ol-s3 suffix", config: { bucketName: "recordings--ol-s3" }, key: "openvidu:bucketName", says: /reserved suffix/ },
    { why: "bucket name with two adjacent dots", config: { bucketName: "acme..recordings" }, key: "openvidu:bucketName", says: /adjacent dots/ },
    { why: "bucket name of 64 characters", config: { bucketName: "a".repeat(64) }, key: "openvidu:bucketName", says: /3 to 63/ },
    { why: "boolean 'yes'", config: { s3ConfigAutoRestart: "yes" }, key: "openvidu:s3ConfigAutoRestart", says: /true or false/ },
    { why: "boolean '1'", config: { recording: "1" }, key: "openvidu:recording", says: /true or false/ },
    { why: "ES on without URL", config: { ...ES_ON, elasticsearchUrl: undefined }, key: "openvidu:elasticsearchUrl", says: /required when/ },
    { why: "ES on without Kibana", config: { ...ES_ON, kibanaUrl: undefined }, key: "openvidu:kibanaUrl", says: /required when/ },
    { why: "ES on without password", config: { ...ES_ON, elasticsearchPassword: undefined }, key: "openvidu:elasticsearchPassword", says: /--secret/ },
    { why: "ES off with a URL", config: { elasticsearchUrl: "https://es.example.com:443" }, key: "openvidu:elasticsearchUrl", says: /must not be set/ },
    { why: "ES off with a user", config: { elasticsearchUsername: "someone" }, key: "openvidu:elasticsearchUsername", says: /must not be set/ },
    { why: "ES URL without port", config: { ...ES_ON, elasticsearchUrl: "https://es.example.com" }, key: "openvidu:elasticsearchUrl", says: /explicit port/ },
    { why: "Kibana URL not http", config: { ...ES_ON, kibanaUrl: "ftp://kibana.example.com:21" }, key: "openvidu:kibanaUrl", says: /explicit port/ },
    { why: "ES user with a space", config: { ...ES_ON, elasticsearchUsername: "elastic admin" }, key: "openvidu:elasticsearchUsername", says: /spaces or quotes/ },
    { why: "ES password with a quote", config: { ...ES_ON, elasticsearchPassword: "pa'ss" }, key: "openvidu:elasticsearchPassword", says: /spaces or quotes/ },
    { why: "ES password under 6 characters", config: { ...ES_ON, elasticsearchPassword: "abc12" }, key: "openvidu:elasticsearchPassword", says: /at least 6/ },
    { why: "ES password with '='", config: { ...ES_ON, elasticsearchPassword: "abc=def12" }, key: "openvidu:elasticsearchPassword", says: /cut -d= -f2/ },
    { why: "ES username with '='", config: { ...ES_ON, elasticsearchUsername: "admin=1" }, key: "openvidu:elasticsearchUsername", says: /'='/ },
    { why: "ES URL with '=' in its query", config: { ...ES_ON, elasticsearchUrl: "https://es.example.com:443/?a=b" }, key: "openvidu:elasticsearchUrl", says: /'='/ },
    { why: "license with a leading quote", config: { license: '"LIC-123"' }, key: "openvidu:license", says: /quote/ },
    { why: "license with a trailing space", config: { license: "LIC-123 " }, key: "openvidu:license", says: /spaces/ },
    { why: "no certificate and no zone", config: { certificateArn: undefined }, key: "openvidu:certificateArn", says: /hostedZoneId/ },
    { why: "certificate in another region", config: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" }, key: "openvidu:certificateArn", says: /us-east-1.*eu-west-1/ },
    { why: "certificate ARN malformed", config: { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, key: "openvidu:certificateArn", says: /ACM certificate ARN/ },
    { why: "hosted zone id lower case", config: { hostedZoneId: "z123abc" }, key: "openvidu:hostedZoneId" },
    { why: "master type not a type", config: { masterInstanceType: "big" }, key: "openvidu:masterInstanceType", says: /c5\.xlarge/ },
    { why: "media type upper case", config: { mediaInstanceType: "C5.XLARGE" }, key: "openvidu:mediaInstanceType" },
    { why: "key pair blank", config: { keyName: " " }, key: "openvidu:keyName", says: /blank/ },
    { why: "zero masters", config: { minMasterNodes: "0" }, key: "openvidu:minMasterNodes", says: /from 1/ },
    { why: "fractional masters", config: { desiredMasterNodes: "1.5" }, key: "openvidu:desiredMasterNodes", says: /whole number/ },
    { why: "min masters above desired", config: { minMasterNodes: "3", desiredMasterNodes: "2" }, key: "openvidu:minMasterNodes", says: /min ≤ desired ≤ max/ },
    { why: "desired media above max", config: { desiredMediaNodes: "5", maxMediaNodes: "4" }, key: "openvidu:maxMediaNodes", says: /min ≤ desired ≤ max/ },
    { why: "max media not a number", config: { maxMediaNodes: "many" }, key: "openvidu:maxMediaNodes", says: /whole number/ },
    { why: "scale-up above 100", config: { scaleUpCpu: "120" }, key: "openvidu:scaleUpCpu", says: /1 to 100/ },
    { why: "scale-up at 101", config: { scaleUpCpu: "101" }, key: "openvidu:scaleUpCpu", says: /1 to 100/ },
    { why: "desired masters above max by one", config: { desiredMasterNodes: "5", maxMasterNodes: "4" }, key: "openvidu:maxMasterNodes", says: /min ≤ desired ≤ max/ },
    { why: "scale-down zero", config: { scaleDownCpu: "0" }, key: "openvidu:scaleDownCpu" },
    { why: "a session ARN as .env reader", config: { envReaderArns: '["arn:aws:sts::123456789012:assumed-role/openvidu-preview/pr-42"]' },
        key: "openvidu:envReaderArns", says: /entry 0 .*STS session ARN; give the role's ARN instead .*role\/<path>openvidu-preview/ },
    { why: "a .env reader that is no ARN", config: { envReaderArns: '["openvidu-preview"]' }, key: "openvidu:envReaderArns", says: /must be an IAM role or user ARN \(/ },
    { why: "a wildcard .env reader", config: { envReaderArns: '["arn:aws:iam::123456789012:role/*"]' }, key: "openvidu:envReaderArns", says: /IAM role or user ARN/ },
    { why: ".env readers as a map", config: { envReaderArns: '{"preview":"arn:aws:iam::123456789012:role/p"}' }, key: "openvidu:envReaderArns", says: /list of strings/ },
    { why: "scale-down not below scale-up", config: { scaleUpCpu: "50", scaleDownCpu: "50" }, key: "openvidu:scaleDownCpu", says: /0 < scaleDownCpu < scaleUpCpu ≤ 100/ },
    { why: "VPC without subnets", config: { ...EXISTING_NET }, key: "openvidu:subnetIds", says: /2 different availability zones/ },
    { why: "subnets without VPC", config: { subnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]' }, key: "openvidu:vpcId" },
    { why: "one subnet", config: { ...EXISTING_NET, subnetIds: '["subnet-0123456789abcdef0"]' }, key: "openvidu:subnetIds", says: /at least 2/ },
    { why: "the same subnet twice", config: { ...EXISTING_NET, subnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef0"]' }, key: "openvidu:subnetIds", says: /at least 2/ },
    { why: "subnet id malformed", config: { ...EXISTING_NET, subnetIds: '["sub-1","subnet-0123456789abcdef0"]' }, key: "openvidu:subnetIds", says: /subnet id/ },
    { why: "VPC id malformed", config: { vpcId: "vpc-xyz", subnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]' }, key: "openvidu:vpcId" },
    { why: "master AMI missing", config: { masterAmiId: undefined }, key: "openvidu:masterAmiId", says: /required/ },
    { why: "media AMI malformed", config: { mediaAmiId: "ami-xyz" }, key: "openvidu:mediaAmiId", says: /AMI id/ },
    { why: "AMI source region malformed", config: { amiSourceRegion: "Europe" }, key: "openvidu:amiSourceRegion", says: /region/ },
    { why: "AMI source region is the stack's", config: { amiSourceRegion: "eu-west-1" }, key: "openvidu:amiSourceRegion", says: /own region/ },
    { why: "master volume too small", config: { masterVolumeSize: "10" }, key: "openvidu:masterVolumeSize", says: /from 20/ },
    { why: "media volume not a number", config: { mediaVolumeSize: "big" }, key: "openvidu:mediaVolumeSize" },
    { why: "extraEnv key lower case", config: { extraEnv: '{"webhook":"true"}' }, key: "openvidu:extraEnv", says: /\^\[A-Z\]/ },
    { why: "extraEnv overrides an owned key", config: { extraEnv: '{"OPENVIDU_SECRET":"x"}' }, key: "openvidu:extraEnv", says: /set by this program/ },
    { why: "extraEnv uses the RM_ prefix", config: { extraEnv: '{"RM_SOMETHING":"x"}' }, key: "openvidu:extraEnv", says: /set by this program/ },
    { why: "extraEnv is not a map", config: { extraEnv: '["A","B"]' }, key: "openvidu:extraEnv", says: /map/ },
    { why: "extraEnv value over two lines", config: { extraEnv: '{"OPENVIDU_WEBHOOK_ENDPOINT":"a\\nb"}' }, key: "openvidu:extraEnv", says: /single line/ },
    { why: "extraEnv value quoted", config: { extraEnv: '{"OPENVIDU_WEBHOOK_ENDPOINT":"\\"https://hook\\""}' }, key: "openvidu:extraEnv", says: /quote/ },
    { why: "extraEnv value with a leading space", config: { extraEnv: '{"OPENVIDU_WEBHOOK_ENDPOINT":" https://hook"}' }, key: "openvidu:extraEnv", says: /spaces/ },
    { why: "boolean deleteEnvOnDestroy 'maybe'", config: { deleteEnvOnDestroy: "maybe" }, key: "openvidu:deleteEnvOnDestroy" },
    { why: "envTakeover without an adopted bucket", config: { envTakeover: "true" }, key: "openvidu:envTakeover", says: /openvidu:bucketName is unset/ },
    { why: "boolean envTakeover 'yes'", config: { envTakeover: "yes", bucketName: "acme-openvidu" }, key: "openvidu:envTakeover" },
    { why: "boolean waitForHealthyMasters 'later'", config: { waitForHealthyMasters: "later" }, key: "openvidu:waitForHealthyMasters" },
    { why: "unknown key (wrong case)", config: { domainname: "x.example.com" }, key: "openvidu:domainname", says: /did you mean openvidu:domainName\?/ },
    { why: "unknown key (typo)", config: { maxMediaNode: "3" }, key: "openvidu:maxMediaNode", says: /did you mean openvidu:maxMediaNodes\?/ },
    { why: "region unset", config: {}, region: "", key: "aws:region", says: /pulumi config set aws:region/ },
    { why: "region typo (eu-wst-1)", config: {}, region: "eu-wst-1", key: "aws:region", says: /did you mean eu-west-1\?/ },
    { why: "region of the right shape that no partition has", config: {}, region: "eu-west-9", key: "aws:region", says: /not a region the pinned @pulumi\/aws knows/ },
    { why: "amiOwnerId that lost its leading zero to YAML", config: { masterAmiId: "OpenVidu Pro Master 2.31.0", amiOwnerId: "12345678901" },
        key: "openvidu:amiOwnerId", says: /11 digits: an account id that starts with 0 must be quoted.*"012345678901"/ },
    { why: "AMI source region typo", config: { amiSourceRegion: "us-est-1" }, key: "openvidu:amiSourceRegion", says: /did you mean us-east-1\?/ },
];

function problemsOf(error: unknown): readonly ConfigProblem[] {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
}

describe("stack configuration: bad input", () => {
    const savedRegion = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    before(() => {
        delete process.env.AWS_REGION;
        delete process.env.AWS_DEFAULT_REGION;
    });
    after(() => Object.assign(process.env, Object.fromEntries(Object.entries(savedRegion).filter(([, v]) => v))));

    it("has at least 30 distinct bad configurations", () => {
        assert.ok(new Set(BAD.map((c) => c.why)).size >= 30);
    });

    for (const bad of BAD) {
        it(`rejects ${bad.why}, naming ${bad.key}, registering nothing`, async () => {
            const { error, resources } = await failProgram({ ...VALID_CONFIG, ...bad.config }, { plaintext: bad.plaintext, region: bad.region });
            const problems = problemsOf(error);
            const named = problems.filter((p) => p.key === bad.key);
            assert.ok(named.length > 0, `no problem names ${bad.key}; got: ${JSON.stringify(problems)}`);
            if (bad.says) {
                assert.ok(named.some((p) => bad.says!.test(p.message)), `${bad.key}: ${JSON.stringify(named)} should say ${bad.says}`);
            }
            assert.deepStrictEqual(resources.map((r) => r.type), [], "a resource was registered despite invalid config");
        });
    }

    it("reports every problem at once, one line per key", async () => {
        const { error } = await failProgram({
            ...VALID_CONFIG, domainName: "BAD", license: undefined, mediaServer: "janus", scaleDownCpu: "90",
        });
        const keys = problemsOf(error).map((p) => p.key);
        for (const key of ["openvidu:domainName", "openvidu:license", "openvidu:mediaServer", "openvidu:scaleDownCpu"]) {
            assert.ok(keys.includes(key), `${key} missing from ${keys.join(", ")}`);
        }
        const message = (error as Error).message;
        assert.match(message, /^Invalid stack configuration \(4 problems\):/);
        assert.strictEqual(message.split("\n").length, 5);
    });

    it("reports every bad .env reader at once, each naming openvidu:envReaderArns and its entry, with other keys' problems", async () => {
        const { error } = await failProgram({
            ...VALID_CONFIG, mediaServer: "janus",
            envReaderArns: '["arn:aws:sts::123456789012:assumed-role/deploy/ci","arn:aws:iam::123456789012:role/ok","arn:aws:iam::123456789012:group/ops"]',
        });
        const readers = problemsOf(error).filter((p) => p.key === "openvidu:envReaderArns");
        assert.deepStrictEqual(readers.map((p) => p.message.slice(0, 8)), ["entry 0 ", "entry 2 "]);
        assert.match(readers[0].message, /STS session ARN/);
        assert.doesNotMatch(readers[1].message, /or empty/, "an empty entry means nothing for a list");
        assert.ok(problemsOf(error).some((p) => p.key === "openvidu:mediaServer"));
    });

    it("never echoes a secret value in an error", async () => {
        const secrets = { openviduSecret: "leak!Me\"1", elasticsearchPassword: "leak 'Me2", license: "LEAK-license-3" };
        const { error } = await failProgram(
            { ...VALID_CONFIG, ...ES_ON, ...secrets, domainName: "BAD" },
            { plaintext: ["license"] },
        );
        const message = (error as Error).message;
        assert.match(message, /openvidu:openviduSecret/);
        assert.match(message, /openvidu:elasticsearchPassword/);
        assert.match(message, /openvidu:license: is stored in plain text/);
        for (const value of Object.values(secrets)) {
            assert.ok(!message.includes(value), "a secret value appears in the error");
        }
    });

    describe("how a message says to set a key (the validation context's howToSet)", () => {
        /** Every key the validator asks to be set: the region, the license, a secret kept in plain text, Elasticsearch's keys. */
        const messages = (howToSet?: HowToSet): string[] => {
            try {
                validateConfig({ ...VALID_CONFIG, license: undefined, openviduSecret: "plain-secret-1", elasticsearchEnabled: "true" },
                    { stackName: "dev", region: "", secretKeys: new Set(), howToSet });
            } catch (error) {
                return problemsOf(error).map((p) => `${p.key}: ${p.message}`);
            }
            return [];
        };

        it("gives a stack file's user the `pulumi config set` command, --secret for secrets (the default)", () => {
            const said = messages();
            for (const expected of [
                "aws:region: is required: set it with `pulumi config set aws:region <region>`",
                "openvidu:license: is required: set it with `pulumi config set --secret openvidu:license <key>`",
                "openvidu:openviduSecret: is stored in plain text; it is a secret: set it with `pulumi config set --secret openvidu:openviduSecret <value>`",
            ]) assert.ok(said.includes(expected), `${expected}\nnot in:\n${said.join("\n")}`);
            assert.ok(said.some((m) => m.startsWith("openvidu:elasticsearchUrl: is required when") && m.includes("(set it with `pulumi config set openvidu:elasticsearchUrl ...`, ")), said.join("\n"));
            assert.ok(said.some((m) => m.includes("(set it with `pulumi config set --secret openvidu:elasticsearchPassword ...`, ")), said.join("\n"));
        });

        it("phrases every such hint with the context's function, and no other way", () => {
            const said = messages(({ key, secret }) => `[${key}${secret ? " as a secret" : ""}]`);
            for (const expected of [
                "aws:region: is required: set it with [aws:region]",
                "openvidu:license: is required: set it with [openvidu:license as a secret]",
                "openvidu:openviduSecret: is stored in plain text; it is a secret: set it with [openvidu:openviduSecret as a secret]",
            ]) assert.ok(said.includes(expected), `${expected}\nnot in:\n${said.join("\n")}`);
            assert.ok(said.some((m) => m.includes("(set it with [openvidu:kibanaUrl], ")), said.join("\n"));
            assert.ok(said.some((m) => m.includes("(set it with [openvidu:elasticsearchPassword as a secret], ")), said.join("\n"));
            assert.ok(!said.some((m) => m.includes("pulumi config set")), said.join("\n"));
        });
    });

    it("blames a mistyped region on aws:region alone: neither the certificate (with certificateArn) nor nothing (with hostedZoneId)", () => {
        const problems = (config: Record<string, string | undefined>): ConfigProblem[] => {
            try {
                validateConfig({ ...VALID_CONFIG, ...config }, { stackName: "dev", region: "eu-wst-1", secretKeys: "all" });
            } catch (error) {
                return [...problemsOf(error)];
            }
            return [];
        };
        // VALID_CONFIG's certificate is in eu-west-1: the region is wrong, not the certificate.
        assert.deepStrictEqual(problems({}).map((p) => p.key), ["aws:region"]);
        assert.deepStrictEqual(problems({ certificateArn: undefined, hostedZoneId: "Z0123456789ABCDEFGHIJ" }).map((p) => p.key), ["aws:region"]);
    });

    it("accepts the regions of each partition the pinned @pulumi/aws knows (aws, aws-cn, aws-us-gov)", () => {
        for (const region of ["eu-west-1", "us-east-1", "ap-southeast-7", "mx-central-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1"]) {
            const certificateArn = `arn:${region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws"}:acm:${region}:123456789012:certificate/abc-123`;
            assert.strictEqual(validateConfig({ ...VALID_CONFIG, certificateArn }, { stackName: "dev", region, secretKeys: "all" }).region, region);
        }
    });

    it("falls back to AWS_REGION like the AWS provider does", () => {
        process.env.AWS_REGION = "eu-west-1";
        try {
            const config = validateConfig({ ...VALID_CONFIG }, { stackName: "dev", region: process.env.AWS_REGION, secretKeys: "all" });
            assert.strictEqual(config.region, "eu-west-1");
        } finally {
            delete process.env.AWS_REGION;
        }
    });
});

describe("stack configuration: the edges of what is allowed", () => {
    /** Valid configurations at each boundary, written out by hand; each must be accepted as given. */
    const EDGES: Array<{ why: string; config: Record<string, string>; expect: (c: ReturnType<typeof validateConfig>) => unknown[]; is: unknown[] }> = [
        { why: "desired == max (masters and media)", config: { minMasterNodes: "1", desiredMasterNodes: "4", maxMasterNodes: "4", minMediaNodes: "2", desiredMediaNodes: "6", maxMediaNodes: "6" },
            expect: (c) => [c.masterNodes, c.mediaNodes], is: [{ min: 1, desired: 4, max: 4 }, { min: 2, desired: 6, max: 6 }] },
        { why: "min == desired == max", config: { minMasterNodes: "3", desiredMasterNodes: "3", maxMasterNodes: "3" },
            expect: (c) => [c.masterNodes], is: [{ min: 3, desired: 3, max: 3 }] },
        { why: "scale-down one below scale-up, scale-up at 100", config: { scaleUpCpu: "100", scaleDownCpu: "99" },
            expect: (c) => [c.scaleUpCpu, c.scaleDownCpu], is: [100, 99] },
        { why: "a 63-character bucket name with dots and digits", config: { bucketName: `acme.recordings-2026.${"b".repeat(42)}` },
            expect: (c) => [c.bucketName], is: [`acme.recordings-2026.${"b".repeat(42)}`] },
        { why: "a bucket name merely containing xn-- or s3alias", config: { bucketName: "acme-xn--s3alias-data" },
            expect: (c) => [c.bucketName], is: ["acme-xn--s3alias-data"] },
        { why: "envTakeover with an adopted bucket; off by default", config: { envTakeover: "true", bucketName: "acme-openvidu" },
            expect: (c) => [c.envTakeover, validateConfig({ ...VALID_CONFIG, bucketName: "acme-openvidu" }, { stackName: "dev", region: "eu-west-1", secretKeys: "all" }).envTakeover],
            is: [true, false] },
        { why: "volumes of exactly 20 GiB", config: { masterVolumeSize: "20", mediaVolumeSize: "20" },
            expect: (c) => [c.masterVolumeSize, c.mediaVolumeSize], is: [20, 20] },
        { why: ".env readers: a role with a path, a user, one twice (kept once); none by default", config: {
            envReaderArns: '["arn:aws:iam::123456789012:role/ci/openvidu-preview","arn:aws:iam::123456789012:user/auditor","arn:aws:iam::123456789012:role/ci/openvidu-preview"]' },
        expect: (c) => [c.envReaderArns, validateConfig({ ...VALID_CONFIG }, { stackName: "dev", region: "eu-west-1", secretKeys: "all" }).envReaderArns],
        is: [["arn:aws:iam::123456789012:role/ci/openvidu-preview", "arn:aws:iam::123456789012:user/auditor"], []] },
    ];

    for (const edge of EDGES) {
        it(`accepts ${edge.why}`, () => {
            const config = validateConfig({ ...VALID_CONFIG, ...edge.config }, { stackName: "dev", region: "eu-west-1", secretKeys: "all" });
            assert.deepStrictEqual(edge.expect(config), edge.is);
        });
    }
});

describe("stack configuration: a wrong type is an error about that key only", () => {
    const context = { stackName: "dev", region: "eu-west-1", secretKeys: "all" as const };
    const keysOf = (config: Record<string, unknown>): string[] => {
        try {
            validateConfig(config, context);
        } catch (error) {
            return problemsOf(error).map((p) => p.key);
        }
        return [];
    };

    it("elasticsearchEnabled: no is not read as the default (true), so the Elasticsearch keys are not demanded", () => {
        assert.deepStrictEqual(keysOf({ ...VALID_CONFIG, elasticsearchEnabled: "no" }), ["openvidu:elasticsearchEnabled"]);
    });

    it("a node count that is not a number does not fail min ≤ desired ≤ max with its default", () => {
        assert.deepStrictEqual(keysOf({ ...VALID_CONFIG, desiredMediaNodes: "6", maxMediaNodes: "many" }), ["openvidu:maxMediaNodes"]);
    });

    it("a CPU threshold that is not a number does not fail the scale-down < scale-up rule with its default", () => {
        assert.deepStrictEqual(keysOf({ ...VALID_CONFIG, scaleUpCpu: "high", scaleDownCpu: "75" }), ["openvidu:scaleUpCpu"]);
    });

    it("subnets that are not a list do not also report the VPC's subnets as missing", () => {
        assert.deepStrictEqual(keysOf({ ...VALID_CONFIG, vpcId: "vpc-0123456789abcdef0", subnetIds: '{"a":"subnet-0123456789abcdef0"}' }),
            ["openvidu:subnetIds"]);
    });

    it("a certificate ARN that is not a string is not also reported as missing", () => {
        assert.deepStrictEqual(keysOf({ ...VALID_CONFIG, certificateArn: 42 }), ["openvidu:certificateArn"]);
    });

    it("a required key with a wrong type is reported once, for its type", () => {
        const config = { ...VALID_CONFIG, masterAmiId: ["ami-0123456789abcdef0"] };
        try {
            validateConfig(config, context);
            assert.fail("accepted a list as the AMI id");
        } catch (error) {
            const problems = problemsOf(error);
            assert.deepStrictEqual(problems.map((p) => p.key), ["openvidu:masterAmiId"]);
            assert.match(problems[0].message, /must be a string/);
        }
    });
});

describe("stack configuration: keys outside openvidu:", () => {
    const check = (otherKeys: string[]): readonly ConfigProblem[] => {
        try {
            validateConfig({ ...VALID_CONFIG }, { stackName: "dev", region: "eu-west-1", secretKeys: "all", otherKeys });
        } catch (error) {
            return problemsOf(error);
        }
        return [];
    };

    it("reports a typo of the namespace, suggesting openvidu:", () => {
        const problems = check(["openvido:domainName"]);
        assert.deepStrictEqual(problems.map((p) => p.key), ["openvido:domainName"]);
        assert.match(problems[0].message, /unknown namespace "openvido"; did you mean openvidu:domainName\?/);
    });

    it("reports aws:regoin, suggesting aws:region", () => {
        const problems = check(["aws:region", "aws:regoin"]);
        assert.deepStrictEqual(problems.map((p) => p.key), ["aws:regoin"]);
        assert.match(problems[0].message, /did you mean aws:region\?/);
    });

    it("accepts the AWS provider's own keys and Pulumi's", () => {
        assert.deepStrictEqual(check(["aws:region", "aws:profile", "aws:assumeRoles", "aws:defaultTags", "aws:skipCredentialsValidation",
            "aws:allowedAccountIds", "aws:endpoints", "pulumi:tags", "pulumi:disable-default-providers"]), []);
    });

    it("reports a namespace far from any known one, saying which ones the program reads", () => {
        const problems = check(["myteam:owner"]);
        assert.deepStrictEqual(problems.map((p) => p.key), ["myteam:owner"]);
        assert.match(problems[0].message, /reads openvidu:\* and aws:\* keys/);
    });

    it("knows the AWS provider's keys from the installed @pulumi/aws", () => {
        for (const key of ["region", "profile", "defaultTags", "assumeRoles", "skipCredentialsValidation"]) {
            assert.ok(AWS_PROVIDER_KEYS.includes(key), `aws:${key} missing from ${AWS_PROVIDER_KEYS.join(", ")}`);
        }
        assert.ok(!AWS_PROVIDER_KEYS.includes("regoin"));
    });
});
