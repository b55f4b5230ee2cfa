/** Whether a command (a validator, a server, the pulumi CLI) is on PATH. */
import { spawnSync } from "child_process";

export function hasCommand(command: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}
