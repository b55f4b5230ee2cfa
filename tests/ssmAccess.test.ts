/**
 * SSM access per tier (openvidu:masterSsmAccess, openvidu:mediaSsmAccess):
 * managed attaches AWS's AmazonSSMManagedInstanceCore, session only the
 * Session Manager shell's five actions, none nothing (media nodes then get no
 * role at all, like the reference). docs/iam.md lists each exactly.
 */
import * as assert from "assert";
import { SESSION_MANAGER_STATEMENT } from "../components/instanceRole";
import { ConfigError } from "../config/errors";
import { CapturedResource } from "../plan/capture";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, runProgram, VALID_CONFIG } from "./harness";

const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY = "aws:iam/rolePolicy:RolePolicy";

/** What SSM gets on one tier: managed policy ARNs and the statements of SSM inline policies. */
function ssmOf(run: MockRun, tier: "openvidu-master" | "openvidu-media"): { managed: string[]; session: unknown[] } {
    const mine = (r: CapturedResource): boolean => r.parent === tier;
    return {
        managed: all(run, ATTACHMENT).filter(mine).map((r) => inputsOf(r).policyArn),
        session: all(run, POLICY).filter(mine).filter((r) => r.name.endsWith("-ssm-session"))
            .flatMap((r) => JSON.parse(inputsOf(r).policy).Statement),
    };
}

describe("SSM access per tier", () => {
    it("by default: the masters get AmazonSSMManagedInstanceCore, the media nodes only the Session Manager shell", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        assert.deepStrictEqual(ssmOf(run, "openvidu-master"), { managed: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"], session: [] });
        assert.deepStrictEqual(ssmOf(run, "openvidu-media"), { managed: [], session: [SESSION_MANAGER_STATEMENT] });
        assert.deepStrictEqual(SESSION_MANAGER_STATEMENT.Action, [
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
        ], "exactly the shell: no ssm:GetParameter(s), no Run Command");
    });

    it("session on the masters keeps their replication-manager policy and drops the managed policy", async () => {
        const run = await runProgram({ ...VALID_CONFIG, masterSsmAccess: "session", mediaSsmAccess: "managed" });
        assert.deepStrictEqual(ssmOf(run, "openvidu-master"), { managed: [], session: [SESSION_MANAGER_STATEMENT] });
        assert.deepStrictEqual(ssmOf(run, "openvidu-media"), { managed: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"], session: [] });
        assert.ok(all(run, POLICY).some((r) => r.name === "openvidu-master-policy"), "the masters still do their job");
    });

    it("none: no SSM on the masters; the media nodes get no role, no profile, no credentials", async () => {
        const run = await runProgram({ ...VALID_CONFIG, masterSsmAccess: "none", mediaSsmAccess: "none" });
        assert.deepStrictEqual(ssmOf(run, "openvidu-master"), { managed: [], session: [] });
        const media = run.resources.filter((r) => r.parent === "openvidu-media" && r.type.startsWith("aws:iam/"));
        assert.deepStrictEqual(media.map((r) => r.type), []);
        const template = inputsOf(run.resources.find((r) => r.name === "openvidu-media-template")!);
        assert.strictEqual(template.iamInstanceProfile, undefined);
    });

    it("rejects another value, naming the key and the three choices", async () => {
        const { error } = await failProgram({ ...VALID_CONFIG, mediaSsmAccess: "off" });
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:mediaSsmAccess");
        assert.match(error.problems[0].message, /must be one of managed, session, none \(got "off"\)/);
    });
});
