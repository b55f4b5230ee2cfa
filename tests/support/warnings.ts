/** What the `.env` provider prints for the CLI while an action runs (its warnings name keys, never values). */
export async function capturedWarnings<T>(action: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args.join(" ")); };
    try {
        return { result: await action(), warnings };
    } finally {
        console.warn = warn;
    }
}

/** The warnings alone. */
export async function warningsOf(action: () => Promise<unknown>): Promise<string[]> {
    return (await capturedWarnings(action)).warnings;
}
