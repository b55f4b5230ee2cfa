// A stand-in for Pulumi's Node.js language host (pulumi-language-nodejs),
// which is not served by the Go module proxy: a small gRPC server of the
// LanguageRuntime service, built on the stubs @pulumi/pulumi ships, that
// starts the SDK's own `cmd/run` for `pulumi preview` / `pulumi up` with the
// arguments and environment the real host gives it (Pulumi's
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go, v3.248.0). So the CLI runs
// index.ts exactly as for a user: ts-node from Pulumi.yaml's runtime options,
// the entry point from package.json's `main`, config and secret keys from the
// stack, the exit code mapped to the CLI's error or "bail".
//
// Where it differs from the real host (the tests that use it say so too):
// - no monitor proxy and no `--sync` pipes: cmd/run talks to the engine's
//   monitor directly (the SDK pinned here never reads the sync pipes);
// - InstallDependencies, RunPlugin (policy packs, plugins written in Node.js),
//   code generation, packing and linking are not served (UNIMPLEMENTED): the
//   checkout's node_modules is used as it is, and a CLI using this host must
//   not be given policy packs;
// - no debugger attach, no bun runtime, no OpenTelemetry, no out-of-memory hint;
// - the engine's health is not polled: the host ends when the CLI closes its
//   standard input (the CLI holds a pipe to every plugin's), or on SIGINT/SIGTERM.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const language = require("@pulumi/pulumi/proto/language_pb.js");
const plugin = require("@pulumi/pulumi/proto/plugin_pb.js");
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [sdkDir] }));

/** The exit code with which cmd/run says it has already shown the user an actionable error. */
const EXITED_AFTER_USER_ACTIONABLE_MESSAGE = 32;

function parseArgs(argv) {
    const flags = { tracing: "", runtime: "nodejs" };
    const positional = [];
    for (let i = 0; i < argv.length; i++) {
        const match = /^--?(tracing|runtime|version)(?:=(.*))?$/.exec(argv[i]);
        if (!match) { positional.push(argv[i]); continue; }
        if (match[1] === "version") { flags.version = true; continue; }
        flags[match[1]] = match[2] !== undefined ? match[2] : argv[++i];
    }
    return { ...flags, engineAddress: positional[0] || "" };
}

/** Pulumi.yaml's `runtime.options`, as the real host reads them. */
function runtimeOptions(info) {
    const options = info && info.getOptions() ? info.getOptions().toJavaScript() : {};
    const typescript = options.typescript === undefined ? true : options.typescript;
    if (typeof typescript !== "boolean") throw new Error("typescript option must be a boolean");
    for (const key of ["tsconfig", "nodeargs", "packagemanager"]) {
        if (options[key] !== undefined && typeof options[key] !== "string") throw new Error(`${key} option must be a string`);
    }
    return { typescript, tsconfig: options.tsconfig || "", nodeargs: options.nodeargs || "", packagemanager: options.packagemanager || "auto" };
}

/** `ns:key` becomes `ns:config:key`, the form older SDKs read (the real host still sends it). */
function runtimeConfig(configMap) {
    const config = {};
    for (const [key, value] of configMap.entries()) {
        const parts = key.split(":");
        config[parts.length === 2 ? `${parts[0]}:config:${parts[1]}` : key] = value;
    }
    return JSON.stringify(config);
}

function runArguments(request, runPath, engineAddress, tracing) {
    const info = request.getInfo();
    const args = [runPath];
    const add = (flag, value) => { if (value) args.push(`--${flag}`, String(value)); };
    add("monitor", request.getMonitorAddress());
    add("engine", engineAddress);
    add("organization", request.getOrganization());
    add("project", request.getProject());
    add("root-directory", info.getRootDirectory());
    add("stack", request.getStack());
    add("pwd", info.getProgramDirectory());
    if (request.getDryrun()) args.push("--dry-run");
    add("parallel", request.getParallel());
    add("tracing", tracing);
    args.push(info.getEntryPoint() || ".");
    return args.concat(request.getArgsList());
}

/** Where @pulumi/pulumi's cmd/run is, resolved from the program's own node_modules as the real host does. */
function locateRun(programDirectory) {
    const module = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
    try {
        return require.resolve(module, { paths: [programDirectory] });
    } catch (error) {
        if (error.code === "MODULE_NOT_FOUND") throw new Error("It looks like the Pulumi SDK has not been installed. Have you run pulumi install?");
        throw error;
    }
}

/**
 * The resource plugins a program needs: every package.json under a node_modules
 * directory below the program that says `"pulumi": { "resource": true }`,
 * skipping nested policy packs, following links once.
 */
function requiredPackages(dir, inNodeModules = false, visited = new Set()) {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) return [];
    visited.add(real);
    const found = [];
    for (const entry of fs.readdirSync(real, { withFileTypes: true })) {
        const full = path.join(real, entry.name);
        let isDir = entry.isDirectory();
        if (entry.isSymbolicLink()) {
            try { isDir = fs.statSync(full).isDirectory(); } catch { continue; }
        }
        if (isDir) {
            if (fs.existsSync(path.join(full, "PulumiPolicy.yaml"))) continue;
            found.push(...requiredPackages(full, inNodeModules || path.basename(real) === "node_modules", visited));
        } else if (inNodeModules && entry.name === "package.json") {
            const pkg = JSON.parse(fs.readFileSync(full, "utf8"));
            if (!pkg.pulumi || !pkg.pulumi.resource) continue;
            const name = pkg.pulumi.name || (pkg.name.startsWith("@pulumi/") ? pkg.name.slice("@pulumi/".length) : undefined);
            if (!name) continue; // the real host reports this as an error it only logs
            const version = pkg.pulumi.version || pkg.version;
            found.push(new plugin.PackageDependency().setName(name).setKind("resource")
                .setVersion(version.startsWith("v") ? version : `v${version}`).setServer(pkg.pulumi.server || ""));
        }
    }
    return found;
}

class LanguageHost {
    constructor(engineAddress, tracing) {
        this.engineAddress = engineAddress;
        this.tracing = tracing;
        this.children = new Set();
    }

    handshake(request) {
        this.engineAddress = request.getEngineAddress();
        return new language.LanguageHandshakeResponse();
    }

    pluginInfo() {
        return new plugin.PluginInfo().setVersion(require("@pulumi/pulumi/package.json").version);
    }

    requiredPackages(request) {
        return new language.GetRequiredPackagesResponse().setPackagesList(requiredPackages(request.getInfo().getProgramDirectory()));
    }

    about() {
        const response = new language.AboutResponse().setExecutable(process.execPath).setVersion(process.version);
        response.getMetadataMap().set("packagemanager", "npm");
        return response;
    }

    runtimeOptionsPrompts() {
        return new language.RuntimeOptionsResponse().setPromptsList([]);
    }

    programDependencies(request) {
        const dir = request.getInfo().getProgramDirectory();
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        const dependencies = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort().map((name) => {
            const installed = path.join(dir, "node_modules", name, "package.json");
            const version = fs.existsSync(installed) ? JSON.parse(fs.readFileSync(installed, "utf8")).version : "";
            return new language.DependencyInfo().setName(name).setVersion(version);
        });
        return new language.GetProgramDependenciesResponse().setDependenciesList(dependencies);
    }

    /** Runs the program under cmd/run; the response carries its failure, or `bail` once it has shown one. */
    async run(request) {
        const info = request.getInfo();
        let runPath;
        let options;
        try {
            options = runtimeOptions(info);
            runPath = locateRun(info.getProgramDirectory());
        } catch (error) {
            return new language.RunResponse().setError(error.message);
        }
        const env = {
            ...process.env,
            PULUMI_CONFIG: runtimeConfig(request.getConfigMap()),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
        };
        if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
        if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
        const nodeArgs = options.nodeargs.split(/\s+/).filter((arg) => arg !== "");
        const args = [...nodeArgs, ...runArguments(request, runPath, this.engineAddress, this.tracing)];
        const code = await new Promise((resolve) => {
            const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
            this.children.add(child);
            child.stdout.pipe(process.stdout, { end: false });
            child.stderr.pipe(process.stderr, { end: false });
            child.on("error", (error) => resolve(error));
            child.on("close", (exitCode, signal) => {
                this.children.delete(child);
                resolve(exitCode === null ? `signal ${signal}` : exitCode);
            });
        });
        const response = new language.RunResponse();
        if (code === 0) return response;
        if (code === EXITED_AFTER_USER_ACTIONABLE_MESSAGE) return response.setBail(true);
        if (typeof code === "number") return response.setError(`Program exited with non-zero exit code: ${code}`);
        if (typeof code === "string") return response.setError(`Program exited unexpectedly: ${code}`);
        return response.setError(`Problem executing program (could not run language executor): ${code.message}`);
    }

    /** The CLI's Cancel: interrupt the running program, as Ctrl-C would. */
    cancel() {
        for (const child of this.children) child.kill("SIGINT");
        return new Empty();
    }
}

function unary(action) {
    return (call, callback) => {
        Promise.resolve().then(() => action(call.request)).then((response) => callback(null, response), (error) => callback(error));
    };
}

function main() {
    const args = parseArgs(process.argv.slice(2));
    if (args.version) {
        console.log(require("@pulumi/pulumi/package.json").version);
        return;
    }
    if (args.runtime !== "nodejs") {
        console.error(`unsupported runtime: ${args.runtime}`);
        process.exit(1);
    }
    const host = new LanguageHost(args.engineAddress, args.tracing);
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    // Methods left out answer UNIMPLEMENTED (grpc-js's default); the CLI treats that as "not supported".
    server.addService(languageGrpc.LanguageRuntimeService, {
        handshake: unary((request) => host.handshake(request)),
        getPluginInfo: unary(() => host.pluginInfo()),
        getRequiredPackages: unary((request) => host.requiredPackages(request)),
        about: unary(() => host.about()),
        runtimeOptionsPrompts: unary(() => host.runtimeOptionsPrompts()),
        getProgramDependencies: unary((request) => host.programDependencies(request)),
        run: unary((request) => host.run(request)),
        cancel: unary(() => host.cancel()),
    });
    const stop = () => {
        for (const child of host.children) child.kill("SIGTERM");
        server.forceShutdown();
        process.exit(0);
    };
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) {
            console.error(`could not start language host RPC server: ${error.message}`);
            process.exit(1);
        }
        // The CLI reads the port from the first line of standard output.
        process.stdout.write(`${port}\n`);
    });
    process.stdin.on("end", stop);
    process.stdin.on("error", stop);
    process.stdin.resume();
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

main();
