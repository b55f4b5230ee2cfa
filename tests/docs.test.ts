/**
 * The docs are true and their commands run as written: every relative link
 * resolves inside the repository, every `npm run` script they name exists,
 * the offline commands they give run, the TypeScript snippets import what
 * the modules export, and facts that can drift (ports, the generated
 * secret's length) are compared with the code.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GENERATED_SECRETS } from "../components/secrets";
import { INGRESS_RULES, SecurityGroupRole } from "../components/network";
import { specFor } from "../config/schema";
import { codeBlocks, markdownFiles, prose, read, ROOT } from "./support/markdown";

/** GitHub's heading anchors: lower case, punctuation dropped, spaces → '-'. */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
        anchors.add(match[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
    }
    return anchors;
}

/** Every command the docs show, from code spans and code blocks, one per line. */
function documentedCommands(): Array<{ file: string; command: string }> {
    const found: Array<{ file: string; command: string }> = [];
    for (const file of markdownFiles()) {
        const text = read(file);
        const pieces = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
        for (const block of codeBlocks(text)) {
            if (["", "sh", "bash"].includes(block.lang)) pieces.push(...block.body.split("\n"));
        }
        for (const piece of pieces) {
            for (const part of piece.split("&&")) {
                const command = part.replace(/\s+#.*$/, "").trim();
                if (/^npm (run|test|ci)\b/.test(command)) found.push({ file, command });
            }
        }
    }
    return found;
}

describe("docs", function () {
    this.timeout(240_000);

    describe("every relative link resolves inside the repository", () => {
        for (const file of markdownFiles()) {
            it(file, () => {
                const text = prose(read(file));
                for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                    const target = match[1];
                    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
                    const [relative, anchor] = target.split("#");
                    const resolved = relative === "" ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), relative);
                    assert.ok(!path.relative(ROOT, resolved).startsWith(".."), `${file}: ${target} points outside the repository`);
                    assert.ok(fs.existsSync(resolved), `${file}: ${target} does not exist`);
                    if (anchor && resolved.endsWith(".md")) {
                        assert.ok(anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor), `${file}: ${target}: no heading #${anchor}`);
                    }
                }
            });
        }

        it("no doc or source file points at notes outside the repository", () => {
            const listed = spawnSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\n")
                .filter((f) => /\.(md|ts|ya?ml)$/.test(f) && fs.existsSync(path.join(ROOT, f)));
            assert.ok(listed.length > 20, "git ls-files listed the repository");
            // The design notes these came from are not part of the repository: nothing may send a reader there.
            const outside = listed.filter((f) => f !== "tests/docs.test.ts" && (/\.\.\/shared\/|shared\/reference\//.test(read(f)) ||
                (!f.startsWith("tests/") && /config contract|contract's|design notes/.test(read(f)))));
            assert.deepStrictEqual(outside, []);
        });
    });

    it("every `npm run` script the docs name exists in package.json", () => {
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
        const named = documentedCommands().map(({ file, command }) => ({ file, script: /^npm run (?:-s )?([\w:-]+)/.exec(command)?.[1] }));
        assert.ok(named.filter((n) => n.script === "plan").length >= 3, "the docs' plan commands were found");
        for (const { file, script } of named) {
            if (script) assert.ok(scripts.includes(script), `${file} names npm run ${script}, which package.json does not have`);
        }
    });

    describe("the offline commands the docs give run as written", () => {
        // Commands with a concrete stack; placeholders (NAME, <stack>, dev|prod) are forms, not commands.
        const commands = [...new Set(documentedCommands().map((c) => c.command)
            .filter((c) => /^npm run plan -- --stack (dev|prod)( --json| --secret openvidu:license=\S+)?$/.test(c)))];
        it("finds them", () => assert.ok(commands.length >= 4, commands.join("\n")));
        for (const command of commands) {
            it(command, () => {
                const result = spawnSync("sh", ["-c", command], { cwd: ROOT, encoding: "utf8" });
                assert.strictEqual(result.status, 0, result.stderr);
                if (command.includes("--json")) {
                    assert.strictEqual(JSON.parse(result.stdout).kind, "offline-plan", "stdout is one JSON document");
                } else {
                    assert.match(result.stdout, /^This is an OFFLINE PLAN/);
                }
            });
        }
    });

    it("the TypeScript snippets import only what the modules export", () => {
        const exportedBy = (module: string): Set<string> => {
            const file = [".ts", "/index.ts"].map((ext) => path.join(ROOT, module + ext)).find((f) => fs.existsSync(f));
            assert.ok(file, `${module} does not exist`);
            const names = new Set<string>();
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/^export (?:declare )?(?:async )?(?:function|const|let|class|interface|type|enum)\s+(\w+)/gm)) names.add(m[1]);
            for (const m of text.matchAll(/^export (?:type )?\{([^}]+)\}/gm)) m[1].split(",").forEach((n) => names.add(n.trim().split(/\s+as\s+/).pop()!));
            for (const m of text.matchAll(/^export \* from "(\.[^"]+)"/gm)) {
                exportedBy(path.join(path.dirname(path.relative(ROOT, file)), m[1])).forEach((n) => names.add(n));
            }
            return names;
        };
        let imports = 0;
        for (const file of markdownFiles()) {
            for (const block of codeBlocks(read(file)).filter((b) => b.lang === "ts")) {
                for (const m of block.body.matchAll(/^import \{([^}]+)\} from "((?:\.|openvidu-enterprise-ha-aws\/)[^"]+)"/gm)) {
                    // Snippets import from the repository root (`./automation`) or the package (`<name>/automation`).
                    const exported = exportedBy(m[2].replace(/^openvidu-enterprise-ha-aws\//, "./"));
                    for (const name of m[1].split(",").map((n) => n.trim()).filter(Boolean)) {
                        imports++;
                        assert.ok(exported.has(name), `${file}: ${name} is not exported by ${m[2]}`);
                    }
                }
            }
        }
        assert.ok(imports >= 5, "the snippets' imports were found");
    });

    it("a snippet that uses ConfigError imports it (there or in an earlier snippet of the page)", () => {
        let uses = 0;
        for (const file of markdownFiles()) {
            let imported = false;
            for (const block of codeBlocks(read(file)).filter((b) => b.lang === "ts")) {
                imported ||= /^import \{[^}]*\bConfigError\b[^}]*\} from "/m.test(block.body);
                if (/instanceof ConfigError/.test(block.body)) {
                    uses++;
                    assert.ok(imported, `${file}: a snippet uses ConfigError without importing it`);
                }
            }
        }
        assert.ok(uses >= 1, "the Automation API page's error handling snippet was found");
    });

    it("the generated openviduSecret's length is the one the docs state", () => {
        const stated = specFor("openviduSecret")?.defaultText ?? "";
        assert.match(stated, new RegExp(`\\b${GENERATED_SECRETS.openviduSecretLength} chars\\b`));
        for (const file of markdownFiles()) {
            for (const m of read(file).matchAll(/generated[^.|\n]*?(\d+) char/g)) {
                assert.strictEqual(Number(m[1]), GENERATED_SECRETS.openviduSecretLength, `${file}: "${m[0]}"`);
            }
        }
    });

    describe("the README's architecture diagram opens the ports the security groups open", () => {
        const diagram = /```mermaid\n([\s\S]*?)```/.exec(read("README.md"))?.[1] ?? "";
        /** "3478 · 40000-65535 (TCP+UDP)" → ["3478", "40000-65535"]; parentheses are remarks, not ports. */
        const portsIn = (label: string): string[] => [...label.replace(/\([^)]*\)/g, "").matchAll(/\b(\d{2,5}(?:-\d{2,5})?)\b/g)]
            .map((m) => m[1]).sort();
        const edgeLabel = (from: string, to: string): string => {
            const edge = new RegExp(`^\\s*${from}\\s+--\\s+(?:"([^"]*)"|(\\S+))\\s+-{2,3}>?\\s*${to}\\b`, "m").exec(diagram);
            assert.ok(edge, `no edge ${from} → ${to} in the diagram`);
            return edge[1] ?? edge[2];
        };
        const rulePorts = (group: SecurityGroupRole, source: "world" | SecurityGroupRole): string[] => [...new Set(INGRESS_RULES[group]
            .filter((r) => (source === "world" ? r.source === "world" : typeof r.source === "object" && r.source.group === source))
            .map((r) => (r.fromPort === r.toPort ? String(r.fromPort) : `${r.fromPort}-${r.toPort}`)))].sort();

        const edges: Array<[string, string, SecurityGroupRole, "world" | SecurityGroupRole]> = [
            ["internet", "alb", "loadBalancer", "world"],
            ["internet", "masters", "master", "world"],
            ["internet", "media", "media", "world"],
            ["alb", "masters", "master", "loadBalancer"],
            ["m1\\[master\\]", "m2", "master", "master"],
            ["masters", "media", "media", "master"],
            ["masters", "redis", "redis", "master"],
        ];
        for (const [from, to, group, source] of edges) {
            it(`${from.replace(/\\\[.*$/, "")} → ${to}`, () => {
                assert.deepStrictEqual(portsIn(edgeLabel(from, to)), rulePorts(group, source));
            });
        }
    });

    it("the example says what to install when the pulumi CLI is missing", () => {
        const nodeDir = path.dirname(process.execPath);
        const env = { ...process.env, PATH: `${nodeDir}:/usr/bin:/bin`, OPENVIDU_LICENSE: "example-license" };
        const probe = spawnSync("sh", ["-c", "command -v pulumi"], { env });
        assert.notStrictEqual(probe.status, 0, "this test needs a PATH without pulumi");
        const result = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(ROOT, "examples", "two-environments.ts")], {
            cwd: ROOT, encoding: "utf8", env: { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /The Pulumi CLI is not installed \(no `pulumi` on PATH\)/);
        assert.match(result.stderr, /https:\/\/www\.pulumi\.com\/docs\/install\//);
        assert.ok(!/spawn pulumi ENOENT/.test(result.stderr), result.stderr);
    });
});
