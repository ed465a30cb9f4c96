// A yes/no question on the terminal: the answer is yes only when it says so. #22:
// the input ending (Ctrl-D, a closed stdin) is a no: readline/promises' question()
// never settles then (Node 20), which left `apply` waiting forever. The first line
// or the end of input, whichever readline reports first, decides.
import { createInterface } from "node:readline";

/** Where the question is asked: the answer is read from `input`, the question written to `output`. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/**
 * Asks `question`; true for `y` or `yes` (any case), false for anything else, the
 * end of input or `signal` (#22: SIGTERM during the question is a no, not a hang).
 */
export async function confirm(
  terminal: Terminal,
  question: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const rl = createInterface({ input: terminal.input, output: terminal.output });
  const close = () => rl.close();
  signal?.addEventListener("abort", close, { once: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
      if (signal?.aborted) rl.close();
      rl.setPrompt(question);
      rl.prompt();
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    signal?.removeEventListener("abort", close);
    rl.close();
  }
}
