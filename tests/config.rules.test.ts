/**
 * Each value rule of config/rules.ts at its edges: values just inside are
 * accepted, values just outside are refused with the rule's own words. Each
 * partition (aws, aws-cn, aws-us-gov) has its ARNs and regions checked. The
 * values are written out by hand from AWS's and OpenVidu's documented limits.
 */
import * as assert from "assert";
import * as rules from "../config/rules";

type Check = (value: string) => rules.Problem;

interface RuleCase {
    rule: string;
    check: Check;
    accepts: string[];
    /** Each refused value with a fragment of the problem it must get. */
    refuses: Array<[string, RegExp]>;
}

const ACCOUNT = "123456789012";
const PARTITIONS = [
    { partition: "aws", region: "eu-west-1" },
    { partition: "aws-cn", region: "cn-north-1" },
    { partition: "aws-us-gov", region: "us-gov-west-1" },
] as const;
const label = (n: number, c: string): string => c.repeat(n);
/** 253 characters: the longest name DNS allows. */
const DOMAIN_253 = [label(63, "a"), label(63, "b"), label(63, "c"), label(61, "d")].join(".");
const SSM_ACCESS = ["managed", "session", "none"];

const CASES: RuleCase[] = [
    { rule: "domainName", check: rules.domainName, accepts: ["openvidu.example.com", DOMAIN_253],
        refuses: [[`${DOMAIN_253}d`, /fully qualified/], ["localhost", /fully qualified/], ["OpenVidu.example.com", /lower-case/]] },
    { rule: "clusterId", check: rules.clusterId, accepts: ["prod_1-a"], refuses: [["Prod", /a-z, 0-9/], ["my cluster", /a-z, 0-9/]] },
    { rule: "notBlank", check: rules.notBlank, accepts: [" key "], refuses: [["   ", /blank/], ["\t", /blank/]] },
    { rule: "openviduSecret", check: rules.openviduSecret, accepts: ["aZ09_-"], refuses: [["abc.def", /A-Z, a-z, 0-9/], ["abc!def", /A-Z/]] },
    { rule: "noSpacesOrQuotes", check: rules.noSpacesOrQuotes, accepts: ["elastic"],
        refuses: [["a`b", /quotes/], ["a b", /spaces/], ["a\"b", /quotes/], ["a'b", /quotes/], ["", /empty/]] },
    { rule: "envValue", check: rules.envValue, accepts: ["a b=c", "it's", "x\"y"],
        refuses: [["a\rb", /single line/], ["a\nb", /single line/], ["a ", /spaces/], [" a", /spaces/],
            ["'a'", /quote/], ["`a`", /quote/], ["\"a\"", /quote/]] },
    { rule: "noEquals", check: rules.noEquals, accepts: ["ab"], refuses: [["a=b", /cut -d= -f2/]] },
    { rule: "elasticsearchPassword", check: rules.elasticsearchPassword, accepts: ["abc123"],
        refuses: [["abc12", /at least 6/], ["abc=123", /'='/], ["abc 123", /spaces/]] },
    { rule: "urlWithPort", check: rules.urlWithPort, accepts: ["https://es.example.com:443", "http://[::1]:9200/path", "https://es.example.com:65535", "http://es:1"],
        refuses: [["ftp://es.example.com:21", /http\(s\) URL/], ["https://es.example.com", /explicit port/],
            ["https://es.example.com:65536", /explicit port/], ["https://es.example.com:0", /explicit port/]] },
    { rule: "certificateArn (no region)", check: (v) => rules.certificateArn(v, undefined),
        accepts: PARTITIONS.map((p) => `arn:${p.partition}:acm:${p.region}:${ACCOUNT}:certificate/abc-123`),
        refuses: [[`arn:aws:acm:eu-west-1:${ACCOUNT}:key/abc-123`, /ACM certificate ARN/], [`arn:aws:iam::${ACCOUNT}:server-certificate/x`, /ACM certificate ARN/],
            [`arn:aws-eu:acm:eu-west-1:${ACCOUNT}:certificate/abc-123`, /ACM certificate ARN/]] },
    { rule: "hostedZoneId", check: rules.hostedZoneId, accepts: ["Z0123456789ABCDEFGHIJ", "Z1234567"],
        refuses: [["z0123456789abcdefghij", /hosted zone id/], ["Z123456", /hosted zone id/]] },
    { rule: "instanceType", check: rules.instanceType, accepts: ["c5.xlarge", "m7i-flex.large"], refuses: [["C5.XLARGE", /instance type/], ["big", /instance type/]] },
    { rule: "amiIdOrName", check: rules.amiIdOrName,
        accepts: ["ami-0123456789abcdef0", "ami-01234567", "OpenVidu Pro Master 2.31.0", "abc", label(128, "n"), "a(b)[c] ./'@_-"],
        refuses: [["ami-xyz", /begins with ami- but is not an AMI id/], [`ami-${label(18, "0")}`, /begins with ami-/], [label(129, "n"), /3 to 128 characters/],
            ["ab", /3 to 128/], ["OpenVidu,Master", /letters, digits/], ["OpenVidu:Master", /letters, digits/], ["OpenVidu*", /without wildcards/]] },
    { rule: "awsAccountId", check: rules.awsAccountId, accepts: ["012345678901"],
        refuses: [["12345678901", /got 11 digits.*"012345678901"/], ["1234567890", /got 10 digits.*"001234567890"/],
            ["openvidu", /^must be a 12-digit AWS account id: [^(]*\(docs\/amis\.md\)$/], ["1234567890123", /^must be a 12-digit AWS account id: [^(]*\(docs\/amis\.md\)$/]] },
    { rule: "vpcId", check: rules.vpcId, accepts: ["vpc-01234567", "vpc-0123456789abcdef0"], refuses: [["vpc-1234", /VPC id/], ["vpc-xyz", /VPC id/]] },
    { rule: "subnetId", check: rules.subnetId, accepts: ["subnet-01234567"], refuses: [["subnet-123", /subnet id/], ["sub-01234567", /subnet id/]] },
    { rule: "region", check: rules.region, accepts: PARTITIONS.map((p) => p.region),
        refuses: [["Europe", /^must be an AWS region name such as eu-west-1$/], ["eu-west-9", /^is not a region the pinned @pulumi\/aws knows \(eu-west-9\)/]] },
    { rule: "envKey", check: rules.envKey, accepts: ["OPENVIDU_WEBHOOK", "A1_B"],
        refuses: [["A-B", /\^\[A-Z\]/], ["A.B", /\^\[A-Z\]/], ["a", /\^\[A-Z\]/], ["1A", /\^\[A-Z\]/]] },
    { rule: "integerAtLeast (20 to 16384)", check: (v) => rules.integerAtLeast(Number(v), 20, 16384), accepts: ["20", "16384"],
        refuses: [["19", /from 20 to 16384 \(got 19\)/], ["16385", /from 20 to 16384 \(got 16385\)/]] },
    { rule: "bucketName", check: rules.bucketName, accepts: ["abc", label(63, "a"), "acme.recordings-1", "1abc"],
        refuses: [["ab", /needs 3 to 63 characters$/], [label(64, "a"), /needs 3 to 63 characters$/], ["my_bucket", /needs only lower-case letters, digits, '\.' and '-'$/],
            ["recordings-", /needs begins and ends with a letter or digit$/], ["-recordings", /begins and ends/], ["acme..rec", /needs no two adjacent dots$/],
            ["192.168.1.1", /needs not formatted as an IP address$/], ["xn--rec", /reserved prefix/], ["sthree-rec", /reserved prefix/], ["amzn-s3-demo-rec", /reserved prefix/],
            ["rec-s3alias", /reserved suffix/], ["rec--ol-s3", /reserved suffix/], ["rec.mrap", /reserved suffix/], ["rec--x-s3", /reserved suffix/], ["rec--table-s3", /reserved suffix/]] },
    { rule: "principalArn", check: rules.principalArn,
        accepts: PARTITIONS.flatMap((p) => [`arn:${p.partition}:iam::${ACCOUNT}:role/deploy`, `arn:${p.partition}:iam::${ACCOUNT}:role/ci/deploy`,
            `arn:${p.partition}:iam::${ACCOUNT}:user/auditor`, `arn:${p.partition}:iam::${ACCOUNT}:root`]),
        refuses: [
            ...PARTITIONS.map((p): [string, RegExp] => [`arn:${p.partition}:sts::${ACCOUNT}:assumed-role/deploy/session-1`,
                /^is an STS session ARN; give the role's ARN instead .*get-role --role-name deploy/]),
            [`arn:aws:iam::${ACCOUNT}:group/admins`, /must be an IAM role or user ARN/], [`arn:aws:iam::${ACCOUNT}:role/*`, /IAM role or user ARN/],
            [`arn:aws-eu:iam::${ACCOUNT}:role/deploy`, /IAM role or user ARN/]] },
    { rule: "cacheNodeType", check: rules.cacheNodeType, accepts: ["cache.t3.medium", "cache.r7g.large"], refuses: [["t3.medium", /ElastiCache node type/]] },
    { rule: "oneOf(ssm access)", check: rules.oneOf(SSM_ACCESS), accepts: SSM_ACCESS, refuses: [["Managed", /one of managed, session, none \(got "Managed"\)/]] },
    { rule: "emailAddress", check: rules.emailAddress, accepts: ["ops@example.com", "on-call+ov@mail.example.org"],
        refuses: [["ops@localhost", /e-mail address/], ["not-an-address", /e-mail address/], ["a b@example.com", /e-mail address/]] },
    { rule: "snsTopicArn (no region)", check: (v) => rules.snsTopicArn(v, undefined),
        accepts: PARTITIONS.map((p) => `arn:${p.partition}:sns:${p.region}:${ACCOUNT}:alarms`),
        refuses: [[`arn:aws:sqs:eu-west-1:${ACCOUNT}:alarms`, /SNS topic ARN/], [`arn:aws:sns:eu-west-1:${ACCOUNT}:alarms.fifo`, /FIFO topic/],
            ["alarms", /SNS topic ARN/], [`arn:aws-eu:sns:eu-west-1:${ACCOUNT}:alarms`, /SNS topic ARN/]] },
];

describe("config value rules at their edges (config/rules.ts)", () => {
    for (const c of CASES) {
        it(`${c.rule}: accepts ${c.accepts.length}, refuses ${c.refuses.length} with its words`, () => {
            for (const value of c.accepts) assert.strictEqual(c.check(value), undefined, `refused ${JSON.stringify(value)}`);
            for (const [value, says] of c.refuses) {
                const problem = c.check(value);
                assert.ok(problem !== undefined, `accepted ${JSON.stringify(value)}`);
                assert.match(problem, says, `for ${JSON.stringify(value)}`);
            }
        });
    }

    it("compares each partition's certificate and topic with the stack's region", () => {
        for (const { partition, region } of PARTITIONS) {
            assert.strictEqual(rules.certificateArn(`arn:${partition}:acm:${region}:${ACCOUNT}:certificate/abc`, region), undefined);
            assert.strictEqual(rules.snsTopicArn(`arn:${partition}:sns:${region}:${ACCOUNT}:alarms`, region), undefined);
            assert.match(rules.certificateArn(`arn:${partition}:acm:${region}:${ACCOUNT}:certificate/abc`, "eu-central-1") ?? "", /is in region .*eu-central-1/);
            assert.match(rules.snsTopicArn(`arn:${partition}:sns:${region}:${ACCOUNT}:alarms`, "eu-central-1") ?? "", /is in region .*eu-central-1/);
        }
    });

    it("knows each partition's regions from the pinned @pulumi/aws (aws, aws-cn, aws-us-gov), and only regions", () => {
        const byPartition = (prefix: RegExp) => rules.KNOWN_REGIONS.filter((r) => prefix.test(r));
        assert.deepStrictEqual(byPartition(/^cn-/).sort(), ["cn-north-1", "cn-northwest-1"]);
        assert.deepStrictEqual(byPartition(/^us-gov-/).sort(), ["us-gov-east-1", "us-gov-west-1"]);
        assert.ok(["us-east-1", "eu-west-1", "ap-southeast-7", "mx-central-1"].every((r) => rules.KNOWN_REGIONS.includes(r)), "aws's regions");
        // Region names only (eusc-de-east-1, the European Sovereign Cloud's, has a four-letter prefix).
        assert.deepStrictEqual(rules.KNOWN_REGIONS.filter((r) => !/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(r)), []);
    });
});
