/**
 * Whether a body S3 sent is the whole object: checked against what S3 says
 * about the object, never against the body alone. A body cut short whose
 * length header was rewritten to match still fails the MD5 of the ETag or the
 * object's checksum; where neither applies, a HEAD confirms its length.
 */

/** Node's crypto and zlib, loaded at call time (the provider is serialized by Pulumi). */
function crypto(): typeof import("crypto") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("crypto");
}

function zlib(): typeof import("zlib") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("zlib");
}

export function md5Base64(bytes: Uint8Array | string): string {
    return crypto().createHash("md5").update(bytes).digest("base64");
}

/** What a GET or HEAD said about the object (the SDK's output fields). */
export interface ObjectFacts {
    ETag?: string;
    ContentLength?: number;
    ServerSideEncryption?: string;
    SSECustomerAlgorithm?: string;
    ChecksumType?: string;
    ChecksumSHA256?: string;
    ChecksumSHA1?: string;
    ChecksumCRC32?: string;
    ChecksumCRC32C?: string;
    ChecksumCRC64NVME?: string;
}

/**
 * The ETag as an MD5 of the content, when S3 made it so: a single-part upload (no `-N`
 * suffix) not encrypted with KMS or a customer key (their ETags are not the MD5).
 */
export function md5OfEtag(facts: ObjectFacts): string | undefined {
    const match = /^"?([0-9a-fA-F]{32})"?$/.exec(facts.ETag ?? "");
    if (!match) return undefined;
    if (facts.SSECustomerAlgorithm || /^aws:kms/.test(facts.ServerSideEncryption ?? "")) return undefined;
    return match[1].toLowerCase();
}

function crc32Base64(bytes: Uint8Array): string {
    const value = zlib().crc32(bytes);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(value >>> 0);
    return buffer.toString("base64");
}

/** Checksums this code computes itself; the SDK checks the others (CRC32C, CRC64NVME) as it reads. */
const CHECKSUMS: Array<[keyof ObjectFacts, (bytes: Uint8Array) => string]> = [
    ["ChecksumSHA256", (bytes) => crypto().createHash("sha256").update(bytes).digest("base64")],
    ["ChecksumSHA1", (bytes) => crypto().createHash("sha1").update(bytes).digest("base64")],
    ["ChecksumCRC32", crc32Base64],
];

/** The whole-object checksums S3 returned (a multipart upload's composite ones say nothing of the whole). */
function fullObjectChecksums(facts: ObjectFacts): Array<[keyof ObjectFacts, string]> {
    if (facts.ChecksumType === "COMPOSITE") return [];
    const names: Array<keyof ObjectFacts> = ["ChecksumSHA256", "ChecksumSHA1", "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME"];
    return names.map((name) => [name, facts[name]] as [keyof ObjectFacts, unknown])
        .filter((entry): entry is [keyof ObjectFacts, string] => typeof entry[1] === "string" && !entry[1].includes("-"));
}

export type BodyCheck =
    | { verdict: "whole"; by: string }
    | { verdict: "damaged"; why: string }
    /** Nothing in the answer can vouch for the body: confirm its length with a HEAD. */
    | { verdict: "unproven" };

/** Checks a body against the answer it came with: its length, its checksums, the MD5 of its ETag. */
export function checkBody(bytes: Uint8Array, facts: ObjectFacts): BodyCheck {
    if (facts.ContentLength !== undefined && facts.ContentLength !== bytes.length) return { verdict: "damaged", why: "length mismatch" };
    const checksums = fullObjectChecksums(facts);
    for (const [name, expected] of checksums) {
        const compute = CHECKSUMS.find(([known]) => known === name)?.[1];
        if (compute && compute(bytes) !== expected) return { verdict: "damaged", why: `${name} mismatch` };
    }
    const md5 = md5OfEtag(facts);
    if (md5 !== undefined) {
        if (crypto().createHash("md5").update(bytes).digest("hex") !== md5) return { verdict: "damaged", why: "MD5 of the ETag mismatch" };
        return { verdict: "whole", by: "ETag" };
    }
    if (checksums.length > 0) return { verdict: "whole", by: checksums[0][0] };
    return { verdict: "unproven" };
}
