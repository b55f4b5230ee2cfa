/**
 * Claims of the docs that a link check cannot see, each checked against the
 * thing it describes:
 * - every TypeScript snippet type checks against the modules it imports (a
 *   page's snippets build on each other, as a reader runs them in order);
 * - every `pulumi <command> --flag` the docs give is a flag of the real CLI;
 * - every physical name pattern (`<stack>-<suffix>-redis`) is a name the
 *   program gives a resource, in a stack prod of project openvidu.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { MockRun } from "../plan/run";
import { runProgram, VALID_CONFIG } from "./harness";
import { codeBlocks, markdownFiles, prose, read, ROOT } from "./support/markdown";
import { pulumiCliBinDir } from "./support/pulumiCli";

const PACKAGE = "openvidu-enterprise-ha-aws";

/** Top-level names a snippet declares (const, let, function, class). */
function declaredNames(body: string): string[] {
    return [...body.matchAll(/^(?:export )?(?:const|let|var|function|class|async function)\s+(\w+)/gm)].map((m) => m[1]);
}

/**
 * A page's TypeScript snippets as modules: imports hoisted and merged, bodies in
 * one async function in page order; a snippet that declares a name again starts
 * a module of its own (it is another example, not the next step).
 */
function snippetModules(markdown: string): string[] {
    const groups: Array<{ imports: Map<string, Set<string>>; bodies: string[]; names: Set<string> }> = [];
    for (const block of codeBlocks(markdown).filter((b) => b.lang === "ts")) {
        const imports = [...block.body.matchAll(/^import \{([^}]+)\} from "([^"]+)";.*$/gm)];
        const body = block.body.replace(/^import \{[^}]+\} from "[^"]+";.*$/gm, "");
        const names = declaredNames(body);
        let group = groups[groups.length - 1];
        if (!group || names.some((n) => group.names.has(n))) {
            group = { imports: new Map(), bodies: [], names: new Set() };
            groups.push(group);
        }
        for (const [, list, from] of imports) {
            const target = from.startsWith(`${PACKAGE}/`) ? path.join(ROOT, from.slice(PACKAGE.length + 1)) : path.join(ROOT, from);
            const set = group.imports.get(target) ?? new Set<string>();
            list.split(",").map((n) => n.trim()).filter(Boolean).forEach((n) => set.add(n));
            group.imports.set(target, set);
        }
        group.bodies.push(body);
        names.forEach((n) => group.names.add(n));
    }
    return groups.map((g) => [
        ...[...g.imports].map(([from, names]) => `import { ${[...names].join(", ")} } from ${JSON.stringify(from)};`),
        "export async function snippet(): Promise<void> {",
        ...g.bodies,
        "}",
    ].join("\n"));
}

/** `pulumi ...` commands in the docs' code spans and shell blocks, with their flags. */
function pulumiCommands(): Array<{ file: string; words: string[]; flags: string[] }> {
    const found: Array<{ file: string; words: string[]; flags: string[] }> = [];
    for (const file of markdownFiles()) {
        const text = read(file);
        const pieces = [...prose(text).matchAll(/`(pulumi [^`\n]+)`/g)].map((m) => m[1]);
        for (const block of codeBlocks(text).filter((b) => ["", "sh", "bash"].includes(b.lang))) {
            pieces.push(...block.body.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.startsWith("pulumi ")));
        }
        for (const piece of pieces) {
            const tokens = piece.split(/\s+/);
            const words = tokens.slice(1).filter((t) => /^[a-z][a-z-]*$/.test(t)).slice(0, 2);
            const flags = tokens.filter((t) => /^--[a-z][a-z-]*/.test(t)).map((t) => t.replace(/=.*$/, ""));
            if (words.length > 0 && flags.length > 0) found.push({ file, words, flags });
        }
    }
    return found;
}

/** Every string among a run's resource inputs (names, prefixes, tags, ids). */
function declaredStrings(run: MockRun): Set<string> {
    const strings = new Set<string>();
    const visit = (value: unknown): void => {
        if (typeof value === "string") strings.add(value);
        else if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === "object") Object.values(value).forEach(visit);
    };
    for (const resource of run.resources) visit(resource.inputs);
    return strings;
}

describe("docs: claims checked against the code, the CLI and the names", function () {
    this.timeout(300_000);

    it("every TypeScript snippet type checks against what it imports", () => {
        const dir = fs.mkdtempSync(path.join(ROOT, ".test-tmp-snippets-"));
        try {
            const files: string[] = [];
            for (const page of markdownFiles()) {
                snippetModules(read(page)).forEach((source, i) => {
                    const file = path.join(dir, `${page.replace(/[/.]/g, "_")}_${i}.ts`);
                    fs.writeFileSync(file, source);
                    files.push(file);
                });
            }
            assert.ok(files.length >= 3, `${files.length} snippet modules`);
            const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
            const program = ts.createProgram(files, { ...config.options, noEmit: true, noCheck: false, noUnusedLocals: false, noUnusedParameters: false });
            const problems = files.flatMap((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file)))
                .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
                .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
            assert.deepStrictEqual(problems, [], "a snippet the docs give does not compile");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every `pulumi` flag the docs give is one the real CLI has", function () {
        const cli = pulumiCliBinDir();
        if (!cli.binDir) {
            console.log(`      skipped: ${cli.unavailable}`);
            this.skip();
        }
        const commands = pulumiCommands();
        assert.ok(commands.length >= 5, `${commands.length} pulumi commands with flags`);
        const helpOf = new Map<string, string>();
        const unknown: string[] = [];
        for (const { file, words, flags } of commands) {
            const key = words.join(" ");
            if (!helpOf.has(key)) {
                const home = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-help-"));
                const help = spawnSync(path.join(cli.binDir!, "pulumi"), [...words, "--help"], {
                    encoding: "utf8", env: { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" },
                });
                fs.rmSync(home, { recursive: true, force: true });
                helpOf.set(key, `${help.stdout}${help.stderr}`);
            }
            for (const flag of flags) {
                if (!new RegExp(`(^|[\\s,])${flag}(?![a-z-])`, "m").test(helpOf.get(key)!)) unknown.push(`${file}: pulumi ${key} ${flag}`);
            }
        }
        assert.deepStrictEqual(unknown, []);
    });

    it("every physical name pattern the docs give is a name the program declares", async () => {
        // The default names, and the reference's bare-stack-name ones (openvidu:referenceNames).
        const runs = [await runProgram({ ...VALID_CONFIG }, { stackName: "prod" }), await runProgram({ ...VALID_CONFIG, referenceNames: "true" }, { stackName: "prod" })];
        const declared = [...new Set(runs.flatMap((run) => [...declaredStrings(run)]))];
        const wrong: string[] = [];
        let checked = 0;
        for (const file of markdownFiles()) {
            for (const [, span] of prose(read(file)).matchAll(/`([^`\n]*<stack>[^`\n]*)`/g)) {
                const name = span.replace(/^Name=/, "");
                // Names only: not commands, file names, ARNs or stack paths.
                if (/[\s/:]/.test(name.replace(/ (Master|Media) Node$/, "")) || name.startsWith("Pulumi.")) continue;
                checked += 1;
                const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("<stack>", "prod").replace("<suffix>", "abf890").replace(/…$/, ".*")}$`);
                // A prefix (`<stack>-master-`, `<stack>-<suffix>`) names what AWS or the program completes (IAM, launch templates, names).
                const isPrefix = name.endsWith("-") || name.endsWith("<suffix>");
                const prefix = name.replace("<stack>", "prod").replace("<suffix>", "abf890");
                if (!declared.some((s) => pattern.test(s) || (isPrefix && s.startsWith(prefix)))) {
                    wrong.push(`${file}: \`${span}\``);
                }
            }
        }
        assert.ok(checked >= 10, `${checked} name patterns`);
        assert.deepStrictEqual(wrong, [], "names the program does not give");
    });
});
