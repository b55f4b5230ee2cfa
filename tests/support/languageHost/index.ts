/**
 * The real Pulumi CLI with the tests' stand-in Node.js language host
 * (host.js) beside it, so `pulumi preview` / `pulumi up` run a project's
 * index.ts the way they do for a user: the CLI starts the host, the host
 * starts @pulumi/pulumi's cmd/run. Kept apart from tools/pulumi-cli's bin
 * directory: with a language host present the CLI runs policy packs through
 * it (RunPlugin, which the stand-in does not serve), so the other engine tests
 * keep the CLI without one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface CliWithLanguageHost {
    /** The directory to put first on PATH instead of tools/pulumi-cli's. */
    binDir: string;
    pulumi: string;
    dispose(): void;
}

/**
 * A directory holding the CLI of `cliBinDir` (hard-linked, or copied across
 * file systems), its dynamic-provider launcher and `pulumi-language-nodejs`.
 * The CLI looks for its bundled plugins beside its own binary and warns when
 * PATH names another, so they sit together.
 */
export function cliWithLanguageHost(cliBinDir: string): CliWithLanguageHost {
    const binDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-cli-langhost-"));
    const pulumi = path.join(binDir, "pulumi");
    try {
        fs.linkSync(path.join(cliBinDir, "pulumi"), pulumi);
    } catch {
        fs.copyFileSync(path.join(cliBinDir, "pulumi"), pulumi);
        fs.chmodSync(pulumi, 0o755);
    }
    fs.copyFileSync(path.join(cliBinDir, "pulumi-resource-pulumi-nodejs"), path.join(binDir, "pulumi-resource-pulumi-nodejs"));
    fs.chmodSync(path.join(binDir, "pulumi-resource-pulumi-nodejs"), 0o755);
    fs.symlinkSync(path.join(__dirname, "pulumi-language-nodejs"), path.join(binDir, "pulumi-language-nodejs"));
    return { binDir, pulumi, dispose: () => fs.rmSync(binDir, { recursive: true, force: true }) };
}
