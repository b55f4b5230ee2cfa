/**
 * The Pulumi SDK's own stack captures, formatted without source-map-support's cost.
 *
 * The SDK reads `new Error().stack` once per resource (`Resource.callsites`, whose
 * positions it sends to the engine) and once per promise it tracks
 * (`debuggablePromise`, about 7,700 for this program, printed only when promises
 * leak). ts-node's source-map-support formats every one by cloning every frame into
 * about thirty closures: most of what kept ts-node's start-up behind precompiled
 * JavaScript (`npm run bench`). This formats those two captures, and only those, at
 * the same mapped positions (the same `mapSourcePosition` and caches, memoized per
 * position); a thrown error's stack still goes through source-map-support unchanged.
 * Should an SDK update move a capture site, its traces fall back to source-map-support
 * (slower, still right) and tests/sdkStackTraces.test.ts says so.
 */

interface MappedPosition { source: string; line: number; column: number; name?: string | null }

/** What source-map-support exports to map a generated position to its source. */
export interface PositionMapper {
    mapSourcePosition(position: { source: string; line: number; column: number }): MappedPosition;
}

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;
const MARK = Symbol.for("openvidu.sdkStackTraces");

/** The SDK's capture sites: the function that reads `new Error().stack`, and its module. */
const SDK_CAPTURES: { functionName: string; module: RegExp }[] = [
    { functionName: "callsites", module: /[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/ },
    { functionName: "debuggablePromise", module: /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/ },
];

/** True for a trace one of the SDK's capture sites takes: its first frame is that function. */
export function isSdkCapture(frames: NodeJS.CallSite[]): boolean {
    const top = frames[0];
    if (top === undefined) return false;
    const name = top.getFunctionName();
    const file = top.getFileName() ?? "";
    return SDK_CAPTURES.some((capture) => capture.functionName === name && capture.module.test(file));
}

/** A frame's mapped position, memoized per generated position; undefined for a frame with no file (native, `Promise.all`). */
export function mappedPositions(mapper: PositionMapper): (frame: NodeJS.CallSite) => MappedPosition | undefined {
    const memo = new Map<string, MappedPosition>();
    return (frame) => {
        const file = frame.getFileName();
        const line = frame.getLineNumber();
        const column = frame.getColumnNumber();
        if (!file || line === null || column === null || frame.isNative() || file.startsWith("wasm://")) return undefined;
        const key = `${file}:${line}:${column}`;
        let position = memo.get(key);
        if (position === undefined) {
            position = mapper.mapSourcePosition({ source: file, line, column: column - 1 });
            memo.set(key, position);
        }
        return position;
    };
}

/**
 * One frame at its mapped position, named as source-map-support names it (the source
 * map's name at its caller's mapped position, else V8's), with parentheses exactly
 * where it puts them: a bare location only for a nameless top-level call.
 */
export function formatFrame(frame: NodeJS.CallSite, position: MappedPosition | undefined, sourceMapName?: string | null): string {
    if (position === undefined) return frame.toString();
    const location = `${position.source}:${position.line}:${position.column + 1}`;
    const name = sourceMapName || frame.getFunctionName();
    const isConstructor = frame.isConstructor();
    if (!name && !isConstructor && frame.isToplevel()) return location;
    return `${frame.isAsync() ? "async " : ""}${isConstructor ? "new " : ""}${name || "<anonymous>"} (${location})`;
}

/**
 * A whole capture, walked from the outermost frame in as source-map-support walks it,
 * so each frame gets the name it would give it (the caller's position carried the
 * same way: a native frame clears it, a frame without a file leaves it as it was).
 */
export function formatCapture(error: Error, frames: NodeJS.CallSite[], position: (frame: NodeJS.CallSite) => MappedPosition | undefined): string {
    const lines: string[] = new Array(frames.length);
    let below: MappedPosition | null = null;
    for (let i = frames.length - 1; i >= 0; i--) {
        const frame = frames[i];
        const mapped = position(frame);
        lines[i] = `\n    at ${formatFrame(frame, mapped, below?.name)}`;
        if (mapped !== undefined) below = mapped;
        else if (frame.isNative() || frame.getFileName()?.startsWith("wasm://")) below = null;
    }
    return `${error.name}${error.message ? `: ${error.message}` : ""}${lines.join("")}`;
}

/**
 * ts-node's source-map-support, whose caches and handlers every copy shares (its state
 * is global): loaded lazily, as ts-node is a development dependency that a deployment
 * with `npm ci --omit=dev` and precompiled JavaScript does not have.
 */
function sourceMapSupport(): PositionMapper {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@cspotcode/source-map-support") as PositionMapper;
}

/**
 * Wraps the installed `Error.prepareStackTrace` (source-map-support's, which ts-node
 * or the SDK's cmd/run installs) so the SDK's own captures skip its per-frame
 * cloning. Returns false, changing nothing, where there is none to wrap or the
 * mapper cannot be loaded; installing twice wraps once.
 */
export function installSdkStackTraces(loadMapper: () => PositionMapper = sourceMapSupport): boolean {
    const installed = Error.prepareStackTrace as (PrepareStackTrace & { [MARK]?: true }) | undefined;
    if (!installed) return false;
    if (installed[MARK]) return true;
    let position: (frame: NodeJS.CallSite) => MappedPosition | undefined;
    try {
        position = mappedPositions(loadMapper());
    } catch {
        return false;
    }
    // A frame of eval'd code has its origin mapped too: rare in these captures, left to source-map-support.
    const prepare: PrepareStackTrace & { [MARK]?: true } = (error, frames) =>
        isSdkCapture(frames) && !frames.some((frame) => frame.isEval())
            ? formatCapture(error, frames, position)
            : installed(error, frames);
    prepare[MARK] = true;
    Error.prepareStackTrace = prepare as typeof Error.prepareStackTrace;
    return true;
}
