/**
 * Whether a body is the whole object (components/envFile/s3Integrity.ts),
 * pure: the ETag's MD5 where S3 makes the ETag an MD5, S3's whole-object
 * checksums, and "unproven" (a HEAD must confirm) where neither applies
 * (SSE-KMS, SSE-C, multipart). Checksums below were computed independently
 * (`openssl dgst -sha256 -binary | base64`, `python3 -c 'zlib.crc32'`).
 */
import * as assert from "assert";
import { causeOf, refusedOutright } from "../components/envFile/s3Faults";
import { checkBody, md5OfEtag } from "../components/envFile/s3Integrity";

const BODY = Buffer.from("A=1\nB=2\n");
const MD5 = "1182cf6f64a0ed20b412bfd8ce1c49a5";
const SHA256 = "vrXyUZqNSiL/Gda0ugWAbHVxDcGtfi7zfuHRqVDUsHQ=";
const CRC32 = "3DxOOw==";

describe(".env body checks (pure)", () => {
    it("an MD5 ETag vouches for the body; a cut body fails it", () => {
        assert.deepStrictEqual(checkBody(BODY, { ETag: `"${MD5}"`, ContentLength: 8 }), { verdict: "whole", by: "ETag" });
        assert.deepStrictEqual(checkBody(BODY.subarray(0, 4), { ETag: `"${MD5}"`, ContentLength: 4 }), { verdict: "damaged", why: "MD5 of the ETag mismatch" });
        assert.deepStrictEqual(checkBody(BODY.subarray(0, 4), { ETag: `"${MD5}"`, ContentLength: 8 }), { verdict: "damaged", why: "length mismatch" });
    });

    it("the ETag is no MD5 under SSE-KMS, SSE-C, or for a multipart upload", () => {
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}"` }), MD5);
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}"`, ServerSideEncryption: "aws:kms" }), undefined);
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}"`, ServerSideEncryption: "aws:kms:dsse" }), undefined);
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}"`, SSECustomerAlgorithm: "AES256" }), undefined);
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}-2"` }), undefined);
        assert.strictEqual(md5OfEtag({ ETag: `"${MD5}"`, ServerSideEncryption: "AES256" }), MD5, "SSE-S3 keeps the MD5");
    });

    it("under SSE-KMS, S3's stored SHA-256 or CRC32 vouches for the body, and catches a cut one", () => {
        const kms = { ETag: '"0123456789abcdef0123456789abcdef"', ServerSideEncryption: "aws:kms", ChecksumType: "FULL_OBJECT" };
        assert.deepStrictEqual(checkBody(BODY, { ...kms, ChecksumSHA256: SHA256 }), { verdict: "whole", by: "ChecksumSHA256" });
        assert.deepStrictEqual(checkBody(BODY, { ...kms, ChecksumCRC32: CRC32 }), { verdict: "whole", by: "ChecksumCRC32" });
        assert.deepStrictEqual(checkBody(BODY.subarray(0, 4), { ...kms, ChecksumSHA256: SHA256 }), { verdict: "damaged", why: "ChecksumSHA256 mismatch" });
        assert.deepStrictEqual(checkBody(BODY.subarray(0, 4), { ...kms, ChecksumCRC32: CRC32 }), { verdict: "damaged", why: "ChecksumCRC32 mismatch" });
    });

    it("nothing to vouch for it (SSE-KMS without a checksum, a composite checksum): unproven, a HEAD must confirm", () => {
        const kms = { ETag: '"0123456789abcdef0123456789abcdef"', ServerSideEncryption: "aws:kms" };
        assert.deepStrictEqual(checkBody(BODY, kms), { verdict: "unproven" });
        assert.deepStrictEqual(checkBody(BODY, { ...kms, ChecksumType: "COMPOSITE", ChecksumSHA256: "AAAA-2" }), { verdict: "unproven" });
    });
});

describe(".env S3 failure causes (pure)", () => {
    it("the SDK's checksum failure is named, never the checksums it quotes", () => {
        const error = new Error('Checksum mismatch: expected "3DxOOw==" but received "Ir7BOg==" in response header "x-amz-checksum-crc32".');
        assert.strictEqual(causeOf(error), "Checksum mismatch");
    });

    it("a connection reset is ECONNRESET, though the SDK names it TimeoutError; a real timeout stays one", () => {
        const reset = Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" });
        assert.strictEqual(causeOf(reset), 'ECONNRESET, "socket hang up"');
        const timeout = Object.assign(new Error("a request has exceeded the configured 15000 ms requestTimeout."), { name: "TimeoutError", code: "ETIMEDOUT" });
        assert.strictEqual(causeOf(timeout), "TimeoutError, ETIMEDOUT");
    });

    it("S3's code and HTTP status; a free-text message is left out", () => {
        const s3 = Object.assign(new Error("We encountered an internal error. Please try again."), { name: "InternalError", Code: "InternalError", $metadata: { httpStatusCode: 500 } });
        assert.strictEqual(causeOf(s3), "InternalError (HTTP 500)");
        assert.strictEqual(causeOf(new Error("OPENVIDU_SECRET=secret-Yx7")), "unknown error");
    });

    it("a write refused outright is settled without reading; a 5xx, a 412, a reset or a timeout is not", () => {
        const status = (httpStatusCode: number): unknown => ({ $metadata: { httpStatusCode } });
        assert.deepStrictEqual([400, 403, 404].map((s) => refusedOutright(status(s))), [true, true, true]);
        assert.deepStrictEqual([408, 409, 412, 429, 500, 503].map((s) => refusedOutright(status(s))), [false, false, false, false, false, false]);
        assert.strictEqual(refusedOutright(Object.assign(new Error("aborted"), { code: "ECONNRESET" })), false);
    });
});
