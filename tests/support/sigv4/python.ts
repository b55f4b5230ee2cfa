/**
 * Python for the SigV4 tests: the test tools (botocore, vermin), a Python 3.8
 * interpreter like the oldest 2.x master AMI's when the machine has one, and
 * the stand-in endpoint (standin.py) that checks signatures with botocore.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AWS_SIGV4_PY } from "../../../components/envFile/awsSigV4";

export const SIGV4_SUPPORT = __dirname;

/** Why the Python test tools are missing, or undefined (.ci/run installs them). */
export function pythonToolsUnavailable(): string | undefined {
    if (spawnSync("python3", ["-c", "import botocore"], { stdio: "ignore" }).status !== 0) return "botocore is not installed (pip install -r tools/python/test-requirements.txt; .ci/run does)";
    if (spawnSync("vermin", ["--version"], { stdio: "ignore" }).status !== 0) return "vermin is not installed (pip install -r tools/python/test-requirements.txt; .ci/run does)";
    return undefined;
}

/** A Python 3.8 interpreter (Ubuntu 20.04's, as on the 2.29 and older AMIs), if this machine has one. */
export function python38(): string | undefined {
    const versions = path.join(os.homedir(), ".pyenv", "versions");
    const candidates = [process.env.PYTHON38 ?? "", "python3.8",
        ...(fs.existsSync(versions) ? fs.readdirSync(versions).filter((v) => v.startsWith("3.8.")).map((v) => path.join(versions, v, "bin", "python3.8")) : [])];
    return candidates.filter(Boolean).find((candidate) => {
        const result = spawnSync(candidate, ["-c", "import sys; print(sys.version_info[:2])"], { encoding: "utf8" });
        return result.status === 0 && result.stdout.trim() === "(3, 8)";
    });
}

/** A directory holding the masters' signer as `aws_sigv4.py` (optionally altered, for mutants). */
export function writeSigner(text = AWS_SIGV4_PY): { dir: string; file: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigv4-"));
    const file = path.join(dir, "aws_sigv4.py");
    fs.writeFileSync(file, text);
    return { dir, file };
}

export interface StandinCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    token: string | null;
}

export interface RecordedRequest {
    method: string;
    path: string;
    status: number;
    body: string;
    service: string | null;
    signedHeaders: string | null;
    sentHeaders: string[];
    /** X-Amz-Target (JSON protocols: CloudWatch Logs). */
    target: string | null;
}

/** CloudWatch Logs as the stand-in plays it: the groups that exist, and a fault on every Logs request. */
export interface StandinLogs {
    logGroups?: string[];
    logsFault?: "500" | "hang";
}

export interface Standin {
    endpoint: string;
    records(): RecordedRequest[];
    /** The events CloudWatch Logs accepted (signature checked) in this group's stream, in order. */
    logEvents(group: string, stream: string): Array<{ timestamp: number; message: string }>;
    stop(): void;
}

/** Starts standin.py on loopback with these credentials, S3 objects (path → text) and CloudWatch Logs groups. */
export async function startStandin(credentials: StandinCredentials, objects: Record<string, string>, logs: StandinLogs = {}): Promise<Standin> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-standin-"));
    const config = path.join(dir, "config.json");
    const record = path.join(dir, "requests.jsonl");
    fs.writeFileSync(config, JSON.stringify({ ...credentials, objects, ...logs }));
    const child: ChildProcess = spawn("python3", [path.join(SIGV4_SUPPORT, "standin.py"), config, record], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (chunk) => {
            out += chunk;
            if (out.includes("\n")) resolve(Number(out.trim().split("\n")[0]));
        });
        child.on("exit", (code) => reject(new Error(`the stand-in endpoint exited (${code})`)));
    });
    return {
        endpoint: `http://127.0.0.1:${port}`,
        logEvents: (group, stream) => (fs.existsSync(record) ? fs.readFileSync(record, "utf8").trim().split("\n").filter(Boolean) : [])
            .map((line) => JSON.parse(line) as RecordedRequest)
            .filter((r) => r.status === 200 && r.target === "Logs_20140328.PutLogEvents")
            .map((r) => JSON.parse(r.body) as { logGroupName: string; logStreamName: string; logEvents: Array<{ timestamp: number; message: string }> })
            .filter((b) => b.logGroupName === group && b.logStreamName === stream)
            .flatMap((b) => b.logEvents),
        records: () => (fs.existsSync(record) ? fs.readFileSync(record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : []),
        stop: () => {
            child.kill();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
