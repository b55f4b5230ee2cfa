/**
 * The project as a user has it, in a directory of its own, for `pulumi` runs
 * through the CLI path (tests/engine/cliPath.test.ts, `npm run bench`): its
 * files copied (tests may set secrets in its stack files), node_modules linked.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..", "..");

/** Not part of the program: left out of the copy (node_modules is linked instead). */
const NOT_COPIED = new Set([".git", "node_modules", "tests", "docs", "dist", "bin"]);
/** Other tests' scratch directories in the repository (they come and go while test files run in parallel). */
const SCRATCH = ".test-tmp";

export function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-cli-path-"));
    for (const entry of fs.readdirSync(root)) {
        if (!NOT_COPIED.has(entry) && !entry.startsWith(SCRATCH)) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** The keys a committed stack file's header says to set with `pulumi config set --secret` (the license among them). */
export function headerSecretKeys(stack: "dev" | "prod"): string[] {
    const header = fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8");
    return [...header.matchAll(/^#\s+pulumi config set --secret (openvidu:\w+)/gm)].map((m) => m[1]);
}
