/**
 * The check the masters run on the downloaded `.env` before OpenVidu may
 * start on it: the boot script's own `python3 -c '…'` (taken from the
 * rendered script, run by the real python3), one refusal per rule. Fast, so
 * each rule is checked on its own; tests/boot.test.ts runs the same script
 * end to end in the boot simulation.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bootScript, REQUIRED_KEYS } from "../components/envFile/masterBoot";

const BUCKET = "prod-0123456789";
const SCRIPT = bootScript({ bucket: BUCKET, key: ".env", region: "eu-west-1", logGroup: "/openvidu/prod-abf890/boot" });
/** The check and how the script calls it: `python3 -c '<check>' download verified instance bucket required`. */
const CALL = /if ! keys="\$\(python3 -c '([^']+)' "\$\{download\}" "\$\{verified\}" "\$\{instance_id\}" "\$\{CONFIG_BUCKET\}" "\$\{REQUIRED_KEYS\}" 2>&1\)"; then/;
const GOOD = [
    "# the cluster's .env", "", "DOMAIN_OR_PUBLIC_IP=openvidu.example.com", "OPENVIDU_PRO_LICENSE=license-value-1",
    "AWS_INSTANCE_ID=i-0stale", "OPENVIDU_SECRET=secret-value-2", `RM_S3_CONFIGURATION_BUCKET=${BUCKET}`, "  # indented comment", "",
].join("\n");

interface Checked { status: number | null; message: string; stdout: string; written?: string; mode?: number }

function check(body: string | Buffer): Checked {
    const match = CALL.exec(SCRIPT);
    assert.ok(match, "the boot script's check was not found where it is called");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-check-"));
    try {
        const [src, dst] = [path.join(dir, "download"), path.join(dir, "verified")];
        fs.writeFileSync(src, body);
        const run = spawnSync("python3", ["-c", match[1], src, dst, "i-0new", BUCKET, REQUIRED_KEYS.join(",")], { encoding: "utf8" });
        const written = fs.existsSync(dst) ? fs.readFileSync(dst, "utf8") : undefined;
        return { status: run.status, message: run.stderr.trim(), stdout: run.stdout.trim(), written, mode: written === undefined ? undefined : fs.statSync(dst).mode & 0o777 };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function refused(body: string | Buffer, message: string): void {
    const result = check(body);
    assert.deepStrictEqual([result.status, result.message, result.written], [1, message, undefined]);
    assert.ok(!/license-value-1|secret-value-2/.test(result.message), "a value in the message");
}

const without = (key: string): string => GOOD.split("\n").filter((line) => !line.startsWith(`${key}=`)).join("\n");

describe("the masters' check of the downloaded .env (the boot script's python3)", () => {
    it("keeps comments, blank lines and settings in place, drops a persisted AWS_INSTANCE_ID, adds this instance's, writes 0600", () => {
        const result = check(GOOD);
        assert.deepStrictEqual([result.status, result.message, result.stdout], [0, "", "5"]);
        assert.strictEqual(result.written, [
            "# the cluster's .env", "", "DOMAIN_OR_PUBLIC_IP=openvidu.example.com", "OPENVIDU_PRO_LICENSE=license-value-1",
            "OPENVIDU_SECRET=secret-value-2", `RM_S3_CONFIGURATION_BUCKET=${BUCKET}`, "  # indented comment", "AWS_INSTANCE_ID=i-0new", "",
        ].join("\n"));
        assert.strictEqual(result.mode, 0o600);
    });

    it("reads a file without a final line end the same way", () => {
        assert.strictEqual(check(GOOD.replace(/\n$/, "")).written, check(GOOD).written);
    });

    it("refuses a file that is not UTF-8", () => {
        refused(Buffer.concat([Buffer.from(GOOD), Buffer.from("EXTRA=caf\xe9\n", "latin1")]), "it is not UTF-8 text");
    });

    it("refuses CR line ends (the launcher's grep | cut would keep the CR in values)", () => {
        refused(GOOD.replace(/\n/g, "\r\n"), "it has CR (Windows) line ends, which the launcher (grep | cut) would keep in values");
    });

    it("refuses a line that is no setting, naming its number only", () => {
        refused(GOOD.replace("\nOPENVIDU_PRO_LICENSE", "\nnot a setting license-value-1\nOPENVIDU_PRO_LICENSE"), "line 4 is not KEY=value");
    });

    it("refuses a key set twice (Compose and the launcher would read different values)", () => {
        refused(`${GOOD}DOMAIN_OR_PUBLIC_IP=other.example.com\n`, "DOMAIN_OR_PUBLIC_IP appears twice (lines 3 and 9)");
    });

    it("refuses each required key missing or empty", () => {
        for (const key of REQUIRED_KEYS) {
            refused(without(key), `${key} is missing or empty`);
            // An empty bucket name is also another bucket's.
            const alsoOther = key === "RM_S3_CONFIGURATION_BUCKET" ? "; RM_S3_CONFIGURATION_BUCKET names another bucket" : "";
            refused(`${without(key)}${key}=\n`, `${key} is missing or empty${alsoOther}`);
        }
    });

    it("refuses another bucket's .env", () => {
        refused(GOOD.replace(`RM_S3_CONFIGURATION_BUCKET=${BUCKET}`, "RM_S3_CONFIGURATION_BUCKET=other-bucket"), "RM_S3_CONFIGURATION_BUCKET names another bucket");
    });

    it("names every problem at once", () => {
        refused(`${without("OPENVIDU_SECRET")}DOMAIN_OR_PUBLIC_IP=x.example.com\nbad line\n`,
            "DOMAIN_OR_PUBLIC_IP appears twice (lines 3 and 8); line 9 is not KEY=value; OPENVIDU_SECRET is missing or empty");
    });
});
