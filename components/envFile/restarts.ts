/**
 * What applying a `.env` write does to the running masters. With
 * OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART on (OpenVidu's default), any change
 * to the bucket's file restarts every master at once: the preview says so in a
 * line the pull-request workflow lifts into its own comment. Pure: no AWS, no Pulumi.
 */
import { AUTORESTART_KEY } from "./keys";

/** The markers `.github/workflows/preview.yml` looks for (docs/pull-requests.md). */
export const RESTART_BANNER = "RESTARTS EVERY MASTER AT ONCE";
export const NO_RESTART_BANNER = "NO MASTER RESTART";
/** The environment variable naming a file the provider appends each notice to (the workflow reads it). */
export const NOTICES_FILE_VARIABLE = "OPENVIDU_ENV_NOTICES_FILE";

/**
 * The masters react with the value they run with, which is the file's before the write: an
 * empty or absent value is OpenVidu's default, on.
 */
export function autoRestartsOn(runningValue: string | undefined): boolean {
    return runningValue?.trim().toLowerCase() !== "false";
}

/**
 * The notice for a write that changes `keys` (names only) in `target`, given the auto-restart
 * value the masters run with; nothing when the write changes nothing. `pending`: some values
 * are known only once applied (a preview), so the keys may change.
 */
export function restartNotice(target: string, keys: readonly string[], runningValue: string | undefined, pending = false): string | undefined {
    if (keys.length === 0) return undefined;
    const changes = `applying this ${pending ? "may change" : "changes"} ${[...keys].sort().join(", ")} in ${target}`;
    if (autoRestartsOn(runningValue)) {
        return `.env: ${RESTART_BANNER}: ${changes} and ${AUTORESTART_KEY} is on, so every master restarts together: ` +
            "the OpenVidu API is down and sessions end until they are back. Schedule it (docs/operations.md, \"Changes that restart every master\").";
    }
    return `.env: ${NO_RESTART_BANNER}: ${changes}; ${AUTORESTART_KEY} is false, so the running masters keep their configuration: ` +
        "each one reads the new file only when it restarts or is replaced.";
}
