/**
 * `pulumi preview` / `up` run index.ts through ts-node with SWC (tsconfig.json's
 * `"ts-node": { "swc": true }`, read by the ts-node @pulumi/pulumi's cmd/run
 * registers; tests/engine/cliPath.test.ts shows it is used there). SWC only
 * strips types and transforms; type checking is `npm run typecheck`. These
 * tests hold SWC's output to TypeScript's own transpiler on what differs
 * between them (class fields, enums, `import x = require`, `export =`,
 * decorators), check that error stacks point at the .ts lines, and that the
 * program registers the same resources either way.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const tsconfig = path.join(root, "tsconfig.json");

type Transpiler = "swc" | "typescript";

/**
 * Runs `script` (JavaScript) in a fresh Node.js process after registering ts-node as
 * cmd/run does (its compiler options under tsconfig.json's, tsconfig.json's "ts-node"
 * block read), with SWC as tsconfig.json says or TypeScript's transpiler forced.
 */
function runRegistered(transpiler: Transpiler, script: string): { stdout: string; stderr: string } {
    const register = `
        const ts = require("typescript");
        const compilerOptions = ts.parseConfigFileTextToJson(${JSON.stringify(tsconfig)}, require("fs").readFileSync(${JSON.stringify(tsconfig)}, "utf8")).config.compilerOptions;
        const service = require("ts-node").register({
            compiler: "typescript", transpileOnly: compilerOptions.noCheck, project: ${JSON.stringify(tsconfig)}, skipProject: false,
            ${transpiler === "typescript" ? "swc: false," : ""}
            compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
        });
        if (service.options.swc !== ${transpiler === "swc"}) throw new Error("ts-node's swc option: " + service.options.swc);
    `;
    const result = spawnSync(process.execPath, ["-e", register + script], { cwd: root, encoding: "utf8", env: { ...process.env, TS_NODE_PROJECT: undefined } });
    assert.strictEqual(result.status, 0, `${transpiler} run failed:\n${result.stderr}`);
    return { stdout: result.stdout, stderr: result.stderr };
}

/** The constructs where SWC's and TypeScript's emit could part ways, and what they evaluate to. */
const FIXTURE = `import path = require("path");
import * as fs from "fs";
import assert from "assert";

enum Color { Red, Green = 5, Blue }
enum Kind { A = "a", B = "b" }
const enum Flag { X = 1, Y = 2 }

class Base {
    constructor() { this.init(); }
    init(): void { /* overridden */ }
}
class Derived extends Base {
    value?: string;
    init(): void { this.value = "set in the base constructor"; }
}
class Parameters {
    constructor(public readonly a: number, private b = 2) {}
    sum(): number { return this.a + this.b; }
}
function tagged(_target: object, _key: string, descriptor: PropertyDescriptor): void {
    const original = descriptor.value as () => string;
    descriptor.value = function (this: unknown) { return "tagged " + original.call(this); };
}
class Decorated {
    @tagged hello(): string { return "hello"; }
}
class Counter {
    static count = 1;
    static { Counter.count++; }
    #hidden = 3;
    reveal(): number { return this.#hidden; }
}

export = {
    enums: [Color.Green, Color.Blue, Color[6], Kind.B, Flag.X | Flag.Y],
    classField: String(new Derived().value),
    parameters: new Parameters(1).sum(),
    decorated: new Decorated().hello(),
    statics: [Counter.count, new Counter().reveal(), Counter.name],
    requires: [path.basename("/a/b.ts"), typeof fs.existsSync, typeof assert],
};
`;

/** Throws on line 8; the types before it are stripped, so the emitted JavaScript throws on another line. */
const THROWS = `import type { Stats } from "fs";
interface Reason {
    text: string;
    stats?: Stats;
}
export function fail(): never {
    const reason: Reason = { text: "on line 8" };
    throw new Error(reason.text);
}
`;

describe("the SWC transpiler the CLI runs the program with (tsconfig.json)", function () {
    this.timeout(120_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-transpiler-"));
        fs.writeFileSync(path.join(dir, "fixture.ts"), FIXTURE);
        fs.writeFileSync(path.join(dir, "throws.ts"), THROWS);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function evaluate(transpiler: Transpiler): unknown {
        return JSON.parse(runRegistered(transpiler, `console.log(JSON.stringify(require(${JSON.stringify(path.join(dir, "fixture.ts"))})));`).stdout);
    }

    it("evaluates class fields, enums, decorators and CommonJS interop as TypeScript's transpiler does", () => {
        const swc = evaluate("swc");
        assert.deepStrictEqual(swc, evaluate("typescript"));
        // Target ES2022 means define semantics: a redeclared field is reset after super(), under both.
        assert.deepStrictEqual(swc, {
            enums: [5, 6, "Blue", "b", 3],
            classField: "undefined",
            parameters: 3,
            decorated: "tagged hello",
            statics: [2, 3, "Counter"],
            requires: ["b.ts", "function", "function"],
        });
    });

    it("maps error stacks to the TypeScript source's lines", () => {
        const script = `try { require(${JSON.stringify(path.join(dir, "throws.ts"))}).fail(); } catch (e) { console.log(e.stack); }`;
        for (const transpiler of ["swc", "typescript"] as const) {
            const { stdout } = runRegistered(transpiler, script);
            assert.match(stdout, /at (Object\.)?fail \(.*throws\.ts:8:\d+\)/, `${transpiler}:\n${stdout}`);
        }
    });

    it("registers the same resources, with the same inputs, from the program either way", () => {
        // The program under mocks with the committed dev stack: every component's emitted code runs.
        const script = `
            require("./plan/run").runUnderMocks({ stackName: "dev", ...require("./plan/stackFile").readStackConfig(process.cwd(), "dev") })
                .then((run) => console.log(JSON.stringify(run.resources.map((r) => [r.type, r.name, r.inputs]))), (e) => { console.error(e); process.exit(1); });`;
        // Except the dynamic providers' serialized code (the two emits' text): its length differs.
        const registered = (transpiler: Transpiler): string =>
            runRegistered(transpiler, script).stdout.replace(/serialized provider code, \d+ characters/g, "serialized provider code");
        const swc = registered("swc");
        assert.ok((JSON.parse(swc) as unknown[]).length > 80, "the whole cluster");
        assert.strictEqual((swc.match(/serialized provider code/g) ?? []).length, 2, "the .env and the refresh wait");
        assert.strictEqual(swc, registered("typescript"));
    });
});
