/**
 * AMIs given by name: looked up by exact name among the images of the pinned
 * owner (openvidu:amiOwnerId), in the image's region, never guessed or
 * picked among several; ids still used as they are, with no lookup.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { NodeImages } from "../components/images";
import { ConfigError, ConfigProblem } from "../config/errors";
import { validateConfig } from "../config/validate";
import { CapturedCall } from "../plan/capture";
import { MockImage, placeholderAmiId } from "../plan/mocks";
import { MockRun, waitForRegistrations as settled } from "../plan/run";
import { openviduProgramAfterLookups } from "../program";
import { all, failProgram, inputsOf, one, runProgram, startProgramMocks, VALID_CONFIG } from "./harness";
import { planInProcess } from "./support/offlinePlan";

const OWNER = "210987654321";
const MASTER_NAME = "openvidu-enterprise-master-2.31.0";
const MEDIA_NAME = "openvidu-enterprise-media-2.31.0";
const BY_NAME = { masterAmiId: MASTER_NAME, mediaAmiId: MEDIA_NAME, amiOwnerId: OWNER };

/** OpenVidu's images in two regions, and look-alikes that must never be chosen. */
const IMAGES: MockImage[] = [
    { id: "ami-0aaaaaaaaaaaaaaa1", name: MASTER_NAME, ownerId: OWNER, region: "eu-west-1" },
    { id: "ami-0aaaaaaaaaaaaaaa2", name: MEDIA_NAME, ownerId: OWNER, region: "eu-west-1" },
    { id: "ami-0bbbbbbbbbbbbbbb1", name: MASTER_NAME, ownerId: OWNER, region: "us-east-1" },
    { id: "ami-0bbbbbbbbbbbbbbb2", name: MEDIA_NAME, ownerId: OWNER, region: "us-east-1" },
    // Anyone can publish a public AMI under any name.
    { id: "ami-0eeeeeeeeeeeeeee1", name: MASTER_NAME, ownerId: "999999999999", region: "eu-west-1" },
    { id: "ami-0eeeeeeeeeeeeeee2", name: `${MASTER_NAME}-hotfix`, ownerId: OWNER, region: "eu-west-1" },
];

const amiCalls = (run: { calls: CapturedCall[] }): CapturedCall[] => run.calls.filter((c) => c.token === "aws:ec2/getAmi:getAmi");
const imageIdOf = (run: MockRun, tier: "master" | "media"): unknown =>
    inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", `${tier}-template`)).imageId;

function problemsOf(error: unknown): readonly ConfigProblem[] {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
}

/** The problems validation finds in VALID_CONFIG with `overrides` (undefined removes a key). */
function configProblems(overrides: Record<string, string | undefined>): readonly ConfigProblem[] {
    const raw = Object.fromEntries(Object.entries({ ...VALID_CONFIG, ...overrides }).filter(([, v]) => v !== undefined));
    try {
        validateConfig(raw, { stackName: "dev", region: "eu-west-1", secretKeys: "all" });
    } catch (error) {
        return problemsOf(error);
    }
    return [];
}

describe("AMIs given by name", function () {
    this.timeout(60_000);

    it("resolves each name among the pinned owner's images in the stack's region, and both launch templates get the ids", async () => {
        const run = await runProgram({ ...VALID_CONFIG, ...BY_NAME }, { cloud: { images: IMAGES } });
        assert.strictEqual(imageIdOf(run, "master"), "ami-0aaaaaaaaaaaaaaa1");
        assert.strictEqual(imageIdOf(run, "media"), "ami-0aaaaaaaaaaaaaaa2");
        assert.deepStrictEqual(all(run, "aws:ec2/amiCopy:AmiCopy"), []);
        // What the provider is asked: the owner, the exact name, the region; never mostRecent.
        assert.deepStrictEqual(amiCalls(run).map((c) => c.inputs).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
            { owners: [OWNER], filters: [{ name: "name", values: [MASTER_NAME] }], includeDeprecated: true, region: "eu-west-1" },
            { owners: [OWNER], filters: [{ name: "name", values: [MEDIA_NAME] }], includeDeprecated: true, region: "eu-west-1" },
        ]);
    });

    it("with amiSourceRegion, looks the name up there and copies the image it found", async () => {
        const run = await runProgram({ ...VALID_CONFIG, ...BY_NAME, amiSourceRegion: "us-east-1" }, { cloud: { images: IMAGES } });
        assert.deepStrictEqual(amiCalls(run).map((c) => c.inputs.region), ["us-east-1", "us-east-1"]);
        const copies = all(run, "aws:ec2/amiCopy:AmiCopy").map(inputsOf);
        assert.deepStrictEqual(copies.map((c) => [c.sourceAmiId, c.sourceAmiRegion]).sort(), [
            ["ami-0bbbbbbbbbbbbbbb1", "us-east-1"], ["ami-0bbbbbbbbbbbbbbb2", "us-east-1"],
        ]);
        assert.ok(copies.every((c) => String(c.name).endsWith(String(c.sourceAmiId))), "the copies are named after the resolved ids");
        assert.deepStrictEqual(copies.map((c) => c.encrypted), [true, true], "the copies' snapshots are encrypted");
        // The launch templates take the copies (the mock's AmiCopy id), not the source images.
        assert.strictEqual(imageIdOf(run, "master"), "ami-0c0c0c0c0c0c0c0c0");
        assert.strictEqual(imageIdOf(run, "media"), "ami-0c0c0c0c0c0c0c0c0");
    });

    it("mixes a name and an id: only the name is looked up", async () => {
        const run = await runProgram({ ...VALID_CONFIG, masterAmiId: MASTER_NAME, amiOwnerId: OWNER }, { cloud: { images: IMAGES } });
        assert.deepStrictEqual(amiCalls(run).map((c) => c.inputs.filters), [[{ name: "name", values: [MASTER_NAME] }]]);
        assert.strictEqual(imageIdOf(run, "master"), "ami-0aaaaaaaaaaaaaaa1");
        assert.strictEqual(imageIdOf(run, "media"), VALID_CONFIG.mediaAmiId);
    });

    it("uses ids as they are, with no lookup at all (amiOwnerId set or not)", async () => {
        for (const config of [{ ...VALID_CONFIG }, { ...VALID_CONFIG, amiOwnerId: OWNER }]) {
            // No image is registered: a lookup would fail the run.
            const run = await runProgram(config, { cloud: { images: [] } });
            assert.deepStrictEqual(amiCalls(run), []);
            assert.strictEqual(imageIdOf(run, "master"), VALID_CONFIG.masterAmiId);
            assert.strictEqual(imageIdOf(run, "media"), VALID_CONFIG.mediaAmiId);
        }
    });

    it("fails naming the key when no image of that name belongs to the owner in that region", async () => {
        // The name exists, but only under another owner or in another region.
        const images = IMAGES.filter((i) => !(i.ownerId === OWNER && i.region === "eu-west-1" && i.name === MASTER_NAME));
        const { error, resources } = await failProgram({ ...VALID_CONFIG, ...BY_NAME }, { cloud: { images } });
        const problems = problemsOf(error);
        assert.deepStrictEqual(problems.map((p) => p.key), ["openvidu:masterAmiId"]);
        assert.match(problems[0].message, new RegExp(`no image named "${MASTER_NAME}" owned by ${OWNER} \\(openvidu:amiOwnerId\\) in eu-west-1`));
        assert.match(problems[0].message, /aws ec2 describe-images --region eu-west-1 --owners 210987654321/);
        assert.ok(!resources.some((r) => r.name.endsWith("master-template")), "no launch template with an unresolved image");
    });

    it("finds the pinned image even once its publisher's deprecation time has passed", async () => {
        const images = IMAGES.map((i) => (i.name === MASTER_NAME ? { ...i, deprecated: true } : i));
        const run = await runProgram({ ...VALID_CONFIG, ...BY_NAME }, { cloud: { images } });
        assert.strictEqual(imageIdOf(run, "master"), "ami-0aaaaaaaaaaaaaaa1");
    });

    it("fails rather than pick when several images match", async () => {
        const twice = [...IMAGES, { id: "ami-0ddddddddddddddd1", name: MASTER_NAME, ownerId: OWNER, region: "eu-west-1" }];
        const { error } = await failProgram({ ...VALID_CONFIG, ...BY_NAME }, { cloud: { images: twice } });
        const problems = problemsOf(error);
        assert.deepStrictEqual(problems.map((p) => p.key), ["openvidu:masterAmiId"]);
        assert.match(problems[0].message, /several images match.*never picks one/);
    });

    it("refuses an image the provider returns that is not the one asked for", async () => {
        // A provider that ignored the filters would hand back someone else's image.
        const stranger = { id: "ami-0eeeeeeeeeeeeeee1", imageId: "ami-0eeeeeeeeeeeeeee1", name: MASTER_NAME, ownerId: "999999999999" };
        await pulumi.runtime.setMocks({
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: () => stranger,
        }, "openvidu", "dev", false);
        const images = new NodeImages("images", { masterAmiId: MASTER_NAME, mediaAmiId: "ami-0fedcba9876543210", ownerId: OWNER, region: "eu-west-1", namePrefix: "dev" });
        const promiseOf = (o: pulumi.Output<string>): Promise<string> => (o as unknown as { promise(): Promise<string> }).promise();
        assert.strictEqual(await promiseOf(images.mediaAmiId), "ami-0fedcba9876543210");
        await assert.rejects(promiseOf(images.masterAmiId), (error: unknown) => {
            const problems = problemsOf(error);
            assert.deepStrictEqual(problems.map((p) => p.key), ["openvidu:masterAmiId"]);
            assert.match(problems[0].message, /returned ami-0eeeeeeeeeeeeeee1 .* owned by 999999999999; it is not used/);
            return true;
        });
    });
});

describe("the Automation API's program with AMIs given by name", function () {
    this.timeout(60_000);
    const session = (images: MockImage[]) => startProgramMocks({ ...VALID_CONFIG, ...BY_NAME }, { cloud: { images } });

    it("looks the names up before declaring anything, and reports every key that does not resolve at once", async () => {
        const mocks = await session([]);
        await assert.rejects(openviduProgramAfterLookups(), (error: unknown) => {
            assert.deepStrictEqual(problemsOf(error).map((p) => p.key), ["openvidu:masterAmiId", "openvidu:mediaAmiId"]);
            return true;
        });
        await settled();
        assert.deepStrictEqual(mocks.resources, [], "nothing declared");
    });

    it("runs the program once they resolve", async () => {
        const mocks = await session(IMAGES);
        await openviduProgramAfterLookups();
        await settled();
        assert.strictEqual(imageIdOf({ resources: mocks.resources, outputs: {}, calls: mocks.calls }, "master"), "ami-0aaaaaaaaaaaaaaa1");
        assert.strictEqual(amiCalls(mocks).length, 4, "looked up first, then where used");
    });
});

describe("config of AMIs given by name", () => {
    const keysOf = (overrides: Record<string, string | undefined>): string[] => configProblems(overrides).map((p) => p.key);

    it("a name needs openvidu:amiOwnerId, and the error names both keys and says why", async () => {
        const problems = configProblems({ masterAmiId: MASTER_NAME, mediaAmiId: MEDIA_NAME });
        assert.deepStrictEqual(problems.map((p) => p.key), ["openvidu:amiOwnerId"]);
        assert.match(problems[0].message, /openvidu:masterAmiId and openvidu:mediaAmiId are image names/);
        assert.match(problems[0].message, /anyone can publish a public AMI under any name/);
        const one = configProblems({ mediaAmiId: MEDIA_NAME });
        assert.match(one[0].message, /^is required when openvidu:mediaAmiId is an image name/);
        // Through the program: refused before anything is registered or looked up.
        const { error, resources } = await failProgram({ ...VALID_CONFIG, masterAmiId: MASTER_NAME }, { cloud: { images: IMAGES } });
        assert.deepStrictEqual(problemsOf(error).map((p) => p.key), ["openvidu:amiOwnerId"]);
        assert.deepStrictEqual(resources, []);
    });

    it("accepts names of every character AWS allows, with an owner", () => {
        assert.deepStrictEqual(keysOf({ ...BY_NAME, masterAmiId: "OpenVidu (2.31.0) [master] ubuntu/24.04 it's@v1_a-b" }), []);
        assert.deepStrictEqual(keysOf({ ...BY_NAME, masterAmiId: "abc", mediaAmiId: "x".repeat(128) }), []);
    });

    const cases: Array<{ why: string; config: Record<string, string | undefined>; key: string; says: RegExp }> = [
        { why: "a * pattern", config: { ...BY_NAME, masterAmiId: "openvidu-enterprise-master-*" }, key: "openvidu:masterAmiId", says: /without wildcards \(\* or \?\)/ },
        { why: "a ? pattern", config: { ...BY_NAME, mediaAmiId: "openvidu-enterprise-media-2.3?.0" }, key: "openvidu:mediaAmiId", says: /without wildcards/ },
        { why: "a name too short", config: { ...BY_NAME, masterAmiId: "ab" }, key: "openvidu:masterAmiId", says: /3 to 128 characters/ },
        { why: "a name too long", config: { ...BY_NAME, masterAmiId: "x".repeat(129) }, key: "openvidu:masterAmiId", says: /3 to 128 characters/ },
        { why: "a character AWS refuses", config: { ...BY_NAME, masterAmiId: "openvidu#master" }, key: "openvidu:masterAmiId", says: /\( \) \[ \] \. \/ - ' @ _/ },
        { why: "a mistyped id", config: { ...BY_NAME, masterAmiId: "ami-0123456789abcdefg" }, key: "openvidu:masterAmiId", says: /not an AMI id/ },
        { why: "an owner id too short", config: { ...BY_NAME, amiOwnerId: "12345678901" }, key: "openvidu:amiOwnerId", says: /12-digit AWS account id/ },
        { why: "an owner alias", config: { ...BY_NAME, amiOwnerId: "amazon" }, key: "openvidu:amiOwnerId", says: /12-digit AWS account id/ },
        { why: "self as owner", config: { ...BY_NAME, amiOwnerId: "self" }, key: "openvidu:amiOwnerId", says: /12-digit AWS account id/ },
    ];
    for (const { why, config, key, says } of cases) {
        it(`refuses ${why}, naming ${key}`, () => {
            const problems = configProblems(config);
            assert.deepStrictEqual(problems.map((p) => p.key), [key]);
            assert.match(problems[0].message, says);
        });
    }

    it("reports every AMI problem at once", () => {
        assert.deepStrictEqual(keysOf({ masterAmiId: "openvidu-*", mediaAmiId: "ami-xyz", amiOwnerId: undefined }).sort(),
            ["openvidu:amiOwnerId", "openvidu:masterAmiId", "openvidu:mediaAmiId"]);
        assert.deepStrictEqual(keysOf({ ...BY_NAME, masterAmiId: "openvidu-?", amiOwnerId: "owner" }).sort(),
            ["openvidu:amiOwnerId", "openvidu:masterAmiId"]);
    });
});

describe("the offline plan of AMIs given by name", function () {
    this.timeout(120_000);
    const root = path.join(__dirname, "..");

    it("resolves a name to a deterministic placeholder and says so, in --json and in the table", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plan-ami-"));
        try {
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.named.yaml"), [
                "config:",
                "  aws:region: eu-west-1",
                "  openvidu:domainName: openvidu-dev.example.com",
                "  openvidu:certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
                `  openvidu:masterAmiId: ${MASTER_NAME}`,
                "  openvidu:mediaAmiId: ami-0fedcba9876543210",
                `  openvidu:amiOwnerId: "${OWNER}"`,
                "  openvidu:elasticsearchEnabled: false",
                "",
            ].join("\n"));
            const plan = (...args: string[]) => planInProcess(["--stack", "named", "--cwd", dir, "--secret", "openvidu:license=x", ...args]);
            const json = await plan("--json");
            assert.strictEqual(json.status, 0, json.stderr);
            const parsed = JSON.parse(json.stdout);
            const placeholder = placeholderAmiId(OWNER, "eu-west-1", MASTER_NAME);
            assert.match(placeholder, /^ami-[0-9a-f]{17}$/);
            assert.deepStrictEqual(parsed.amiLookups, [
                { keys: ["openvidu:masterAmiId"], name: MASTER_NAME, ownerId: OWNER, region: "eu-west-1", imageId: placeholder, placeholder: true },
            ]);
            const template = parsed.resources.find((r: { name: string }) => r.name === "openvidu-master-template");
            assert.strictEqual(template.inputs.imageId, placeholder);
            const text = await plan("--wide");
            assert.strictEqual(text.status, 0, text.stderr);
            assert.match(text.stdout, /AMIs looked up by name/);
            assert.ok(text.stdout.includes(`openvidu:masterAmiId = "${MASTER_NAME}" owned by ${OWNER} in eu-west-1 → ${placeholder} (placeholder)`), text.stdout);
            // In 100 columns the line wraps, nothing of it cut.
            const narrow = await plan();
            assert.ok(narrow.stdout.replace(/\n +/g, " ").includes(`openvidu:masterAmiId = "${MASTER_NAME}" owned by ${OWNER} in eu-west-1 → ${placeholder} (placeholder)`), narrow.stdout);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
