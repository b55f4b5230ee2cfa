/**
 * Loaded by mocha before the test files (.mocharc.json), in each worker
 * process under --parallel (`npm test`), where `mochaHooks` are the root
 * hooks of every file: keeps a green run quiet without hiding what a failing
 * test needs.
 *
 * - The Pulumi SDK, run under mocks without an engine, prints the program's
 *   log (`error: [runtime] Invalid stack configuration ...`, `warning:
 *   [runtime] ...`) straight to the console, also in tests that expect that
 *   very failure. Those lines are held per test and printed only when the
 *   test fails, with its failure; `runtimeLog()` hands them to a test that
 *   asserts on them.
 * - The AWS SDK's notice that its releases after January 2027 need Node 22
 *   (README, "Requirements") is said once there, not in every run.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const held: string[] = [];
const RUNTIME_LINE = /^(error|warning): \[runtime\] /;

for (const method of ["error", "warn"] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
        if (typeof args[0] === "string" && RUNTIME_LINE.test(args[0])) {
            held.push(args.map(String).join(" "));
            return;
        }
        original(...args);
    };
}

/** The Pulumi runtime's log lines of the current test, in order. */
export function runtimeLog(): readonly string[] {
    return held;
}

export const mochaHooks = {
    beforeEach(): void {
        held.length = 0;
    },
    afterEach(this: Mocha.Context): void {
        const test = this.currentTest;
        if (test?.state === "failed" && held.length > 0) {
            // With the failure itself, where the reporter lists it (under --parallel, long after the
            // worker ran the test; a line printed now would stand apart from it).
            const log = `\n  the Pulumi runtime's log of this test:\n${held.map((line) => `    ${line}`).join("\n")}`;
            if (test.err) test.err.message += log;
            else process.stderr.write(`      ${test.fullTitle()}:${log}\n`);
        }
    },
};
