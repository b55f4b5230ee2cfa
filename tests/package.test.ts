/**
 * Another program can install this package and import its Automation API,
 * the two ways docs/automation-api.md gives, from a fresh clone (committed
 * files only, no dist/, nothing built by hand):
 * - `npm pack`: unpacked into a separate project's node_modules beside its
 *   dependencies, a consumer type checks against the shipped declarations and
 *   runs with plain Node from another directory (no ts-node, no sources);
 * - a git dependency: `npm install git+file://<clone>`, which is what npm does
 *   for a GitHub URL (it clones, installs, runs `prepare`, packs).
 * Both rely on the `prepare` script building dist/.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");

const CONSUMER = `
import { checkConfig, ConfigError, deploy, packageRoot, StackBusyError } from "openvidu-enterprise-ha-aws/automation";
import type { OpenViduStackConfig } from "openvidu-enterprise-ha-aws/automation";

const config: OpenViduStackConfig = {
    domainName: "Not A Domain", license: "x", masterAmiId: "ami-0123456789abcdef0", mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false, certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
};
try {
    checkConfig({ stackName: "dev", region: "eu-west-1", config });
    console.log("accepted");
} catch (error) {
    const keys = error instanceof ConfigError ? error.problems.map((p) => p.key).join(",") : "not a ConfigError";
    console.log(JSON.stringify({ keys, deploy: typeof deploy, busy: typeof StackBusyError, root: packageRoot() }));
}
`;

describe("the package as another program installs it", function () {
    this.timeout(300_000);
    let work: string;
    /** A fresh clone of the committed tree: no dist/, no build left over. */
    let clone: string;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-consumer-"));
        clone = path.join(work, "clone");
        execFileSync("git", ["clone", "-q", "--no-hardlinks", root, clone]);
        assert.ok(!fs.existsSync(path.join(clone, "dist")), "a fresh clone has no dist/");
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("exports a typed, built Automation API that runs from any directory", () => {
        fs.symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"));
        // `npm pack` runs `prepare` (the build) itself; its output goes to stderr so stdout stays JSON.
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
            cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
        }))[0];
        const files: string[] = packed.files.map((f: { path: string }) => f.path);
        assert.ok(files.includes("dist/automation/index.js") && files.includes("dist/automation/index.d.ts"), files.join(", "));
        assert.ok(files.includes("Pulumi.yaml"), "the package root is found by its Pulumi.yaml");
        assert.ok(!files.some((f) => f.startsWith("tests/") || f.endsWith(".test.ts")), "no tests shipped");

        // A consumer project: the package unpacked into node_modules, its dependencies beside it (as npm hoists them).
        const project = path.join(work, "consumer");
        const modules = path.join(project, "node_modules");
        const installed = path.join(modules, "openvidu-enterprise-ha-aws");
        fs.mkdirSync(installed, { recursive: true });
        execFileSync("tar", ["-xzf", path.join(work, packed.filename), "-C", installed, "--strip-components=1"]);
        for (const entry of fs.readdirSync(path.join(root, "node_modules"))) {
            if (entry.startsWith(".")) continue;
            fs.symlinkSync(path.join(root, "node_modules", entry), path.join(modules, entry));
        }
        fs.writeFileSync(path.join(project, "main.ts"), CONSUMER);
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, module: "node16", moduleResolution: "node16", target: "es2022", outDir: "out", skipLibCheck: true, types: ["node"] },
            files: ["main.ts"],
        }));
        execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project], { cwd: project, stdio: "inherit" });

        const elsewhere = fs.mkdtempSync(path.join(work, "cwd-"));
        const printed = execFileSync(process.execPath, [path.join(project, "out", "main.js")], { cwd: elsewhere, encoding: "utf8" });
        const result = JSON.parse(printed.trim());
        assert.strictEqual(result.keys, "openvidu:domainName", "the validation runs from the built package");
        assert.strictEqual(result.deploy, "function");
        assert.strictEqual(result.busy, "function");
        assert.strictEqual(fs.realpathSync(result.root), fs.realpathSync(installed), "the installed package is its own root");
    });

    it("installs as a git dependency with its JavaScript built (npm runs prepare), importable with plain Node", function () {
        this.timeout(600_000);
        const project = path.join(work, "git-consumer");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "git-consumer", version: "1.0.0", private: true }));
        // --prefer-offline: the dependencies come from npm's cache, filled by this repository's own `npm ci`.
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `git+file://${clone}`], {
            cwd: project, stdio: ["ignore", "ignore", "inherit"],
        });
        const installed = path.join(project, "node_modules", "openvidu-enterprise-ha-aws");
        assert.ok(fs.existsSync(path.join(installed, "dist", "automation", "index.js")), "dist/ was built during the install");
        const printed = execFileSync(process.execPath, ["-e",
            "const api = require('openvidu-enterprise-ha-aws/automation'); console.log(typeof api.deploy, typeof api.checkConfig)"],
        { cwd: project, encoding: "utf8" });
        assert.strictEqual(printed.trim(), "function function");
    });
});
