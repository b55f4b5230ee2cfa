/**
 * OpenVidu's `.env`: `KEY=value` lines, `#` comments, blank lines. Parsed
 * into a document that keeps every line (comments, blanks, unknown lines)
 * so a rewrite changes only the values it means to. Pure: no AWS, no Pulumi.
 */

/** One line of the file: a setting, or anything else kept verbatim. */
export type EnvLine =
    /** `raw`: the line as read, rendered again as long as the value is unchanged. */
    | { kind: "setting"; key: string; value: string; raw?: string }
    | { kind: "other"; text: string };

export interface EnvDocument {
    lines: EnvLine[];
    /** The file used CRLF line ends; a rewrite keeps them. */
    crlf: boolean;
}

const SETTING = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)$/;

/**
 * Values are taken as the text after the first `=`, unquoted when the whole
 * value is quoted. Docker Compose reads OpenVidu's file the same way, and
 * the masters' own rewrite (`/restart`) writes plain `KEY=value`.
 */
export function parseEnv(text: string): EnvDocument {
    const crlf = text.includes("\r\n");
    const body = text.endsWith("\n") ? text.slice(0, text.endsWith("\r\n") ? -2 : -1) : text;
    const lines: EnvLine[] = body === "" ? [] : body.split(/\r?\n/).map((line) => {
        const match = SETTING.exec(line);
        if (match === null || line.trimStart().startsWith("#")) return { kind: "other", text: line };
        return { kind: "setting", key: match[1], value: unquote(match[2].trim()), raw: line };
    });
    return { lines, crlf };
}

function unquote(value: string): string {
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
        return value.slice(1, -1);
    }
    return value;
}

/**
 * A line read from the file renders exactly as it was (quotes, spacing); a
 * new or changed value renders as `KEY=value`, the form OpenVidu's own
 * `/restart` writes (check() rejects values with line breaks).
 */
export function renderEnv(document: EnvDocument): string {
    const eol = document.crlf ? "\r\n" : "\n";
    return document.lines.map((line) => line.kind === "setting" ? line.raw ?? `${line.key}=${line.value}` : line.text).join(eol) + eol;
}

/** The settings of a document, last occurrence winning (as Docker Compose reads it). */
export function settingsOf(document: EnvDocument): Map<string, string> {
    const settings = new Map<string, string>();
    for (const line of document.lines) {
        if (line.kind === "setting") settings.set(line.key, line.value);
    }
    return settings;
}
