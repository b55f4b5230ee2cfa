/**
 * startup/sdkStackTraces.ts formats the Pulumi SDK's own stack captures (one per
 * resource, one per tracked promise) without source-map-support's per-frame
 * cloning. What must not change: the positions the SDK sends to the engine for
 * every resource, the positions a promise-leak report prints, and every other
 * stack (a thrown error's) which source-map-support still formats. Runs in this
 * process, where mocha's ts-node has installed source-map-support as cmd/run's does.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CapturedResource } from "../plan/capture";
import { runUnderMocks } from "../plan/run";
import { readStackConfig } from "../plan/stackFile";
import { formatFrame, installSdkStackTraces, isSdkCapture } from "../startup/sdkStackTraces";

const root = path.join(__dirname, "..");

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

// The SDK's internals these tests drive or watch (patched, or not in its typings): required, not imported.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkResource = require("@pulumi/pulumi/runtime/resource") as { registerResource: (...args: unknown[]) => unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkDebuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
const ResourceClass = pulumi.Resource as unknown as { callsites(): Array<{ file?: string; line?: number; column?: number }>; framePositionRegExp: RegExp };

/** The positions Pulumi parses out of a stack text, frame by frame (undefined where it finds none). */
function positions(stack: string): Array<string | undefined> {
    return stack.split("\n").slice(1).map((frame) => {
        const groups = ResourceClass.framePositionRegExp.exec(frame)?.groups;
        return groups && !groups.file.startsWith("node:") ? `${groups.file}:${groups.line}:${groups.column}` : undefined;
    });
}

interface Registration { sourcePosition: unknown; stackTrace: unknown; captured?: CapturedResource }

/** Runs the program under mocks (the dev stack) and records what each resource registration sends to the engine. */
async function registrations(): Promise<Map<string, Registration>> {
    const recorded = new Map<string, Registration>();
    const original = sdkResource.registerResource;
    sdkResource.registerResource = (...args: unknown[]) => {
        const [, , type, name, , , , , , sourcePosition, stackTrace] = args;
        recorded.set(`${type}::${name}`, { sourcePosition, stackTrace });
        return original(...args);
    };
    try {
        const run = await runUnderMocks({ stackName: "dev", ...readStackConfig(root, "dev") });
        // Inputs, options and a dynamic provider's serialized code as the mocks received them.
        for (const resource of run.resources) recorded.get(`${resource.type}::${resource.name}`)!.captured = resource;
    } finally {
        sdkResource.registerResource = original;
    }
    return recorded;
}

describe("the SDK's stack captures, formatted without source-map-support's cost (startup/sdkStackTraces.ts)", function () {
    this.timeout(120_000);
    let sourceMapSupport: PrepareStackTrace;
    /** How many SDK captures source-map-support itself formatted. */
    let sdkCapturesFormattedBySourceMapSupport = 0;

    before(function () {
        sourceMapSupport = Error.prepareStackTrace as PrepareStackTrace;
        assert.ok(sourceMapSupport, "ts-node (mocha's --require) installed source-map-support");
    });
    beforeEach(function () {
        sdkCapturesFormattedBySourceMapSupport = 0;
        // Counts what reaches source-map-support; the wrapper installed on top of this must keep SDK captures from it.
        const counted: PrepareStackTrace = (error, frames) => {
            if (isSdkCapture(frames)) sdkCapturesFormattedBySourceMapSupport++;
            return sourceMapSupport(error, frames);
        };
        Error.prepareStackTrace = counted as typeof Error.prepareStackTrace;
    });
    afterEach(function () {
        Error.prepareStackTrace = sourceMapSupport as typeof Error.prepareStackTrace;
    });

    it("registers the same resources (inputs, dynamic providers' code) with the same source positions and stack traces, and spares source-map-support every SDK capture", async function () {
        const runs: Array<Map<string, Registration>> = [];
        const reachedSourceMapSupport: number[] = [];
        for (const install of [false, true]) {
            if (install) assert.ok(installSdkStackTraces());
            sdkCapturesFormattedBySourceMapSupport = 0;
            runs.push(await registrations()); // one line, so this test's own frame is the same in both
            reachedSourceMapSupport.push(sdkCapturesFormattedBySourceMapSupport);
        }
        const [before, after] = runs;
        assert.ok(reachedSourceMapSupport[0] > 1000, `source-map-support formatted ${reachedSourceMapSupport[0]} SDK captures`);
        assert.strictEqual(reachedSourceMapSupport[1], 0, "no SDK capture reached source-map-support");
        assert.ok(before.size > 80, `the whole cluster: ${before.size} resources`);
        assert.deepStrictEqual([...after.keys()].sort(), [...before.keys()].sort());
        for (const [key, registration] of before) assert.deepStrictEqual(after.get(key), registration, key);
        // Mapped positions, not the transpiler's: the bucket is declared in components/storage.ts.
        const bucket = [...before].find(([key]) => key.startsWith("aws:s3/bucket:Bucket::"));
        const position = bucket?.[1].sourcePosition as { uri: string; line: number } | undefined;
        assert.ok(position?.uri.endsWith("/components/storage.ts"), JSON.stringify(position));
    });

    it("prints a tracked promise's stack (a promise-leak report's) at the same mapped positions", function () {
        const stacks: string[] = [];
        for (const install of [false, true]) {
            if (install) assert.ok(installSdkStackTraces());
            const tracked = Promise.resolve();
            void sdkDebuggable.debuggablePromise(tracked, "test"); // one line, so this test's own frame is the same in both
            stacks.push((tracked as unknown as { _debugStackTrace: string })._debugStackTrace);
        }
        const [expected, actual] = stacks;
        assert.strictEqual(sdkCapturesFormattedBySourceMapSupport, 1, "only the first capture went through source-map-support");
        assert.deepStrictEqual(positions(actual), positions(expected));
        assert.ok(positions(actual).some((p) => p?.startsWith(`${__filename}:`)), `this file's .ts position is in it:\n${actual}`);
    });

    it("leaves every other stack to source-map-support: a thrown error's is unchanged", function () {
        const stacks: string[] = [];
        for (const install of [false, true]) {
            if (install) assert.ok(installSdkStackTraces());
            stacks.push(String(new Error("boom").stack));
        }
        assert.strictEqual(stacks[1], stacks[0]);
        assert.ok(stacks[0].includes(`${__filename}:`), stacks[0]);
        assert.strictEqual(sdkCapturesFormattedBySourceMapSupport, 0);
    });

    it("leaves a capture through eval'd code to source-map-support, which maps its eval origin too", function () {
        assert.ok(installSdkStackTraces());
        new Function("Resource", "return Resource.callsites();")(ResourceClass);
        assert.strictEqual(sdkCapturesFormattedBySourceMapSupport, 1);
        ResourceClass.callsites();
        assert.strictEqual(sdkCapturesFormattedBySourceMapSupport, 1, "one without eval does not reach it");
    });

    it("recognises exactly the SDK's two capture sites", function () {
        let frames: NodeJS.CallSite[] = [];
        const keep: PrepareStackTrace = (error, callSites) => { frames = callSites; return sourceMapSupport(error, callSites); };
        Error.prepareStackTrace = keep as typeof Error.prepareStackTrace;
        ResourceClass.callsites();
        assert.ok(isSdkCapture(frames), "Resource.callsites");
        sdkDebuggable.debuggablePromise(Promise.resolve(), "test");
        assert.ok(isSdkCapture(frames), "debuggablePromise");
        function callsites(): void { void new Error().stack; }
        callsites();
        assert.ok(!isSdkCapture(frames), "a function of the same name elsewhere");
        void new Error().stack;
        assert.ok(!isSdkCapture(frames), "any other stack");
        assert.ok(!isSdkCapture([]), "an empty one");
    });

    it("puts parentheses where V8 does, so Pulumi finds a position exactly where it did", function () {
        let frames: NodeJS.CallSite[] = [];
        const keep: PrepareStackTrace = (_error, callSites) => { frames = callSites; return ""; };
        Error.prepareStackTrace = keep as typeof Error.prepareStackTrace;
        class Shape { constructor() { void new Error().stack; } }
        const fromConstructor = (): NodeJS.CallSite[] => { new Shape(); return frames; };
        const located = (frame: NodeJS.CallSite) => ({ source: String(frame.getFileName()), line: Number(frame.getLineNumber()), column: Number(frame.getColumnNumber()) - 1 });
        // A constructor, an arrow function, a method call (mocha's): the position Pulumi reads is V8's.
        for (const frame of fromConstructor().slice(0, 3)) {
            assert.deepStrictEqual(positions(`Error\n    at ${formatFrame(frame, located(frame))}`), positions(`Error\n    at ${frame}`), String(frame));
        }
        // A nameless top-level function: V8 prints a bare location, which Pulumi's pattern does not read.
        [0].map(function () { void new Error().stack; });
        const nameless = frames[0];
        assert.ok(!nameless.getFunctionName() && nameless.isToplevel());
        const position = { source: "a.ts", line: 1, column: 1 };
        assert.strictEqual(formatFrame(nameless, position), "a.ts:1:2");
        // Unless the source map names the function at its caller's position, as source-map-support does.
        assert.strictEqual(formatFrame(nameless, position, "scale"), "scale (a.ts:1:2)");
        assert.strictEqual(formatFrame(nameless, undefined), nameless.toString());
    });

    it("wraps once, and changes nothing where there is nothing to wrap or no mapper", function () {
        assert.ok(installSdkStackTraces());
        const wrapped = Error.prepareStackTrace;
        assert.ok(installSdkStackTraces());
        assert.strictEqual(Error.prepareStackTrace, wrapped, "installing twice wraps once");
        Error.prepareStackTrace = sourceMapSupport as typeof Error.prepareStackTrace;
        assert.strictEqual(installSdkStackTraces(() => { throw new Error("Cannot find module '@cspotcode/source-map-support'"); }), false);
        assert.strictEqual(Error.prepareStackTrace, sourceMapSupport);
        (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
        assert.strictEqual(installSdkStackTraces(), false, "plain V8 formatting is already fast");
        assert.strictEqual(Error.prepareStackTrace, undefined);
    });
});
