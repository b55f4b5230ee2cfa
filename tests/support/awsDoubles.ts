/**
 * Stand-ins for the two AWS behaviours the `.env` provider's S3 client must
 * follow and that no local S3 server shows: a bucket in another region
 * (S3 answers 301 with `x-amz-bucket-region`) and STS AssumeRole (for
 * `aws:assumeRoles`). Both answer as AWS documents it; everything else is
 * forwarded to a real S3 server (s3rver or RGW).
 */
import * as http from "http";
import * as net from "net";

export interface Double {
    endpoint: string;
    close(): Promise<void>;
}

async function listen(server: http.Server): Promise<Double> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}

/** The region a SigV4 request was signed for (`Credential=AKID/DATE/REGION/s3/aws4_request`). */
function signingRegion(request: http.IncomingMessage): string | undefined {
    return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1];
}

/**
 * S3 for a bucket that lives in `bucketRegion`: a request signed for any other
 * region gets S3's 301 PermanentRedirect naming the bucket's region; the rest
 * is forwarded to `target`. `redirects` counts the redirects answered.
 */
export async function regionRedirect(target: string, bucketRegion: string): Promise<Double & { redirects: number }> {
    const upstream = new URL(target);
    let redirects = 0;
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            if (signingRegion(request) !== bucketRegion) {
                redirects++;
                response.writeHead(301, { "x-amz-bucket-region": bucketRegion, "content-type": "application/xml" });
                response.end(request.method === "HEAD" ? undefined : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>" +
                    "<Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>");
                return;
            }
            const forward = http.request({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
                response.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(response);
            });
            forward.on("error", () => response.destroy());
            forward.end(Buffer.concat(chunks));
        });
    });
    const double = await listen(server);
    return { ...double, get redirects() { return redirects; } };
}

/** One AssumeRole call as STS received it (form parameters). */
export type AssumeRoleCall = Record<string, string>;

/**
 * STS answering AssumeRole with the given credentials (the ones the S3 server
 * accepts), recording each call's parameters.
 */
export async function fakeSts(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<Double & { calls: AssumeRoleCall[] }> {
    const calls: AssumeRoleCall[] = [];
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
            calls.push(params);
            if (params.Action !== "AssumeRole") {
                response.writeHead(400, { "content-type": "text/xml" });
                response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${params.Action}</Message></Error></ErrorResponse>`);
                return;
            }
            response.writeHead(200, { "content-type": "text/xml" });
            response.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>
      <SessionToken>session-token-of-the-assumed-role</SessionToken>
      <Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/deployer/${params.RoleSessionName ?? "session"}</Arn>
      <AssumedRoleId>AROAEXAMPLE:${params.RoleSessionName ?? "session"}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
        });
    });
    const double = await listen(server);
    return { ...double, calls };
}
